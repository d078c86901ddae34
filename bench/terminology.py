"""Latency of the terminology answers on a full-size code set (about 800 codes).

    .venv/bin/python bench/terminology.py [--requests N]

Runs against the configured database (DATABASE_URL; SQLite without it) in a
throwaway copy created like the test suite's, filled by `bench/codeset.py`.
Requests go through Django's test client: the whole middleware stack and view,
no network. Measures FHIR `ValueSet/$expand` as type-ahead would call it
(short filters, count 20, with and without a date), `POST /api/codes/validate/`
with 100 codes, and, as the ceiling, a bare Django view in the same run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdtsite.settings.dev")

TYPE_AHEAD = ["D0", "D27", "D6", "crown", "implant ab", "root", "sealant", "cone beam", "x", "bone"]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _time(call, count: int) -> list[float]:
    for _ in range(10):  # warm caches and connections
        call(0)
    times = []
    for n in range(count):
        start = time.perf_counter()
        call(n)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="per measurement (300)")
    parser.add_argument("--codes", type=int, default=800, help="size of the code set (800)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import setup_databases, teardown_databases
    from django.urls import include, path

    # The project's URLs plus one bare view: the ceiling of this stack on this machine.
    urls = types.ModuleType("bench_terminology_urls")
    urls.urlpatterns = [
        path("bench/bare/", lambda request: HttpResponse("ok")),
        path("", include(settings.ROOT_URLCONF)),
    ]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False

    db = connection.settings_dict
    db["TEST"]["NAME"] = (
        str(ROOT / "var" / "bench-terminology.sqlite3")
        if db["ENGINE"].endswith("sqlite3")
        else f"{db['NAME']}_bench_terminology"
    )
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from bench.codeset import code_set_generate
        from codes.models import CodeVersion

        numbers = code_set_generate(args.codes)
        rng = random.Random(3)
        client = Client()
        expand = "/fhir/ValueSet/$expand"
        vs = "http://www.ada.org/cdt?fhir_vs"

        def expand_today(n):
            response = client.get(expand, {"url": vs, "filter": TYPE_AHEAD[n % 10], "count": 20})
            assert response.status_code == 200, response.content

        def expand_dated(n):
            day = f"{2010 + n % 17}-0{1 + n % 9}-15"
            params = {"url": vs, "filter": TYPE_AHEAD[n % 10], "count": 20, "date": day}
            response = client.get(expand, params)
            assert response.status_code == 200, response.content

        claims = [
            {"date_of_service": f"{2012 + n % 15}-06-01", "codes": rng.sample(numbers, 100)}
            for n in range(50)
        ]

        def validate(n):
            response = client.post(
                "/api/codes/validate/", claims[n % 50], content_type="application/json"
            )
            assert response.status_code == 200 and len(response.json()["results"]) == 100

        def bare(n):
            assert client.get("/bench/bare/").status_code == 200

        rows = []
        for name, call in [
            ("bare Django view (ceiling)", bare),
            ("$expand, filter, count=20, today", expand_today),
            ("$expand, filter, count=20, date=", expand_dated),
            ("POST /api/codes/validate/, 100 codes", validate),
        ]:
            # Counted by a wrapper: the request_started signal empties connection.queries.
            queries: list[str] = []

            def count(execute, sql, *rest, queries=queries):
                queries.append(sql)
                return execute(sql, *rest)

            with connection.execute_wrapper(count):
                call(0)
            times = _time(call, args.requests)
            rows.append((name, statistics.median(times), _percentile(times, 95), len(queries)))
        engine = "PostgreSQL" if "postgres" in db["ENGINE"] else "SQLite"
        print(
            f"{len(numbers)} codes, {CodeVersion.objects.count()} versions, {engine}; "
            f"{args.requests} requests each, in-process test client"
        )
        print(f"{'request':<42} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
        for name, p50, p95, counted in rows:
            print(f"{name:<42} {p50:>8.2f} {p95:>8.2f} {counted:>8}")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
