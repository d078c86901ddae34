"""How long from a submission's commit to its reviewers' mail being written?

    .venv/bin/python bench/notify_latency.py [--count N] [--rate N] [--concurrency N]

Runs against the configured services (DATABASE_URL, REDIS_URL; the embedded
defaults without them) in a throwaway database created like the test suite's,
with a real `celery -A cdtsite worker` process writing mail through the file
backend. A submission's commit is stamped by an on_commit callback registered
before the service's own; a mail's write time is its file's mtime.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdtsite.settings.dev")


def _database_url(db: dict) -> str:
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or 'localhost'}"
        f":{db['PORT'] or 5432}/{db['NAME']}"
    )


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=300, help="submissions (default 300)")
    parser.add_argument("--rate", type=float, default=10.0, help="submissions a second")
    parser.add_argument("--reviewers", type=int, default=2, help="users in Reviewers")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--json", action="store_true", help="also print one JSON result line")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cdt-bench-"))
    mail_dir = work / "mail"
    mail_dir.mkdir()
    os.environ["EMAIL_URL"] = f"filemail://{mail_dir}"
    if not os.environ.get("REDIS_URL"):
        # The embedded broker is a file every local process shares: the bench gets its own.
        os.environ["CELERY_BROKER_URL"] = f"sqla+sqlite:///{work / 'broker.sqlite3'}"

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import setup_databases, teardown_databases

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        # A file, not the test runner's in-memory database: the worker process opens it too.
        db["TEST"]["NAME"] = str(work / "bench.sqlite3")
        # Take the write lock when the transaction starts: a deferred SQLite transaction
        # that reads, then writes beside the worker's is refused at once ("locked").
        db["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    else:
        db["TEST"]["NAME"] = f"{db['NAME']}_bench"
    old = setup_databases(verbosity=0, interactive=False)
    worker = None
    try:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        from codes.categories import categories_ensure
        from codes.models import Category
        from codes.services import code_create
        from contributions.models import Notification
        from contributions.roles import roles_setup
        from contributions.suggestions.services import submission_create

        roles_setup()
        categories_ensure(Category)
        code_create(
            code="D0370",
            values={
                "nomenclature": "Maxillofacial ultrasound",
                "descriptor": "Bench code.",
                "category": Category.objects.get(slug="diagnostic-imaging"),
            },
        )
        reviewers = Group.objects.get(name="Reviewers")
        for n in range(args.reviewers):
            user = get_user_model().objects.create_user(
                f"bench-reviewer{n}", f"bench-reviewer{n}@example.com", is_staff=True
            )
            user.groups.add(reviewers)

        env = {
            **os.environ,
            "DATABASE_URL": _database_url(connection.settings_dict),
            "EMAIL_URL": f"filemail://{mail_dir}",
            "LOG_LEVEL": "WARNING",
        }
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cdtsite",
                "worker",
                "--concurrency",
                str(args.concurrency),
                "--without-mingle",
                "--without-gossip",
                "-l",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=(work / "worker.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        from cdtsite.celery import health

        health.delay("warm-up").get(timeout=60)  # the worker is consuming

        committed: dict[int, float] = {}
        interval = 1 / args.rate
        started = time.time()
        for n in range(args.count):
            stamp: dict[str, float] = {}
            with transaction.atomic():
                transaction.on_commit(lambda s=stamp: s.setdefault("at", time.time()))
                submission, _ = submission_create(
                    code="D0370",
                    changes={"billing_tips": f"Bench tip {n}"},
                    rationale="Bench.",
                    name="Bench",
                    email=f"bench{n}@example.net",
                )
            committed[submission.pk] = stamp["at"]
            time.sleep(max(0.0, started + (n + 1) * interval - time.time()))
        expected = args.count * (args.reviewers + 1)
        deadline = time.time() + 300
        while Notification.objects.filter(state="sent").count() < expected:
            if time.time() > deadline:
                raise SystemExit("Timed out: not every notification was sent in 5 minutes.")
            time.sleep(0.2)
        elapsed = time.time() - started

        submission_of = dict(
            Notification.objects.filter(event="submission.received").values_list("pk", "subject_id")
        )
        latencies = []
        for path in mail_dir.iterdir():
            written = path.stat().st_mtime
            for pk in re.findall(r"^X-CDT-Notification: (\d+)$", path.read_text(), re.M):
                if int(pk) in submission_of:
                    latencies.append(written - committed[submission_of[int(pk)]])
        ms = [value * 1000 for value in latencies]
        broker = "redis" if settings.REDIS_URL else "sqlalchemy (embedded)"
        print(
            f"database={connection.vendor} broker={broker} submissions={args.count} "
            f"rate={args.rate}/s reviewers={args.reviewers} worker concurrency={args.concurrency}"
        )
        print(
            f"reviewer mails measured: {len(ms)} (all {expected} notifications in {elapsed:.1f}s)"
        )
        print(
            f"commit -> reviewer mail written: median {statistics.median(ms):.1f} ms, "
            f"p95 {_percentile(ms, 95):.1f} ms, p99 {_percentile(ms, 99):.1f} ms, "
            f"max {max(ms):.1f} ms"
        )
        if args.json:
            result = {
                "mails": len(ms),
                "seconds": elapsed,
                "p50": statistics.median(ms),
                "p95": _percentile(ms, 95),
                "p99": _percentile(ms, 99),
                "max": max(ms),
            }
            print("BENCH-RESULT " + json.dumps(result), flush=True)
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
        connection.close()
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
