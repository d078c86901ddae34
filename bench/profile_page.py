"""Where one page's time goes, in-process: per-request time, queries, and a profile.

    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/profile_page.py /codes/D0370/ [--uncached]

Uses the development settings with DEBUG off and the sample codes (load them first). With
--uncached the public cache is off, so every request builds the page. PROFILE_SORT
(default cumulative; tottime for where the time is spent) and PROFILE_ROWS (25) shape
the profile printed; a split of the time (ORM, database, templates, the rest) follows it.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--uncached", action="store_true")
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdtsite.settings.dev")
    os.environ["DEBUG"] = "false"
    if args.uncached:
        os.environ["PUBLIC_CACHE_SECONDS"] = "0"

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    first = client.get(args.path)
    print(f"{args.path}: {first.status_code}, X-Cache {first.get('X-Cache', '-')}")
    with CaptureQueriesContext(connection) as captured:
        client.get(args.path)
    queries = len(captured.captured_queries)
    started = time.perf_counter()
    for _ in range(args.requests):
        client.get(args.path)
    per_request = (time.perf_counter() - started) / args.requests * 1000
    print(f"{per_request:.2f} ms a request, {queries} queries")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.requests):
        client.get(args.path)
    profile.disable()
    order, rows = os.environ.get("PROFILE_SORT", "cumulative"), os.environ.get("PROFILE_ROWS", "25")
    stats = pstats.Stats(profile)
    stats.sort_stats(order).print_stats(int(rows))
    _split(stats)


def _split(stats: pstats.Stats) -> None:
    """Where a request's time goes, as shares of the profiled request (cumulative times)."""

    def cumulative(path_end: str, function: str) -> float:
        return sum(
            row[3]
            for (path, _line, name), row in stats.stats.items()
            if name == function and path.endswith(path_end)
        )

    total = cumulative("django/core/handlers/base.py", "get_response")  # the middleware in
    driver = cumulative("psycopg/cursor.py", "execute")
    parts = {
        "the ORM building SQL and reading rows": cumulative("sql/compiler.py", "execute_sql")
        - driver,
        "round trips to the database (the driver)": driver,
        "templates": cumulative("django/template/loader.py", "render_to_string"),
    }
    parts["everything else"] = total - sum(parts.values())
    for what, seconds in parts.items():
        print(f"{seconds / total:6.1%}  {what}")


if __name__ == "__main__":
    main()
