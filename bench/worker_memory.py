"""A Celery worker's memory after N tasks (issue target: under 150 MB after 10,000).

    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/worker_memory.py [--tasks 10000]

Starts `celery -A cdtsite worker` (prefork, 2 processes) with the development settings
against REDIS_URL, sends N `cdtsite.health` tasks, waits for every result, prints the
resident memory of the worker's processes, and stops the worker.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = task / "children"
        if children.exists():
            found += [int(p) for p in children.read_text().split()]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10000)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL (the worker and this script share the broker).")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cdtsite.settings.dev"}
    os.environ.update(env)
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "celery", "-A", "cdtsite", "worker", "--concurrency", "2",
         "--without-mingle", "--without-gossip", "-l", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        import django

        django.setup()
        from cdtsite.celery import health

        time.sleep(3)
        started = time.monotonic()
        results = [health.delay(str(n)) for n in range(args.tasks)]
        for result in results:
            result.get(timeout=300)
        elapsed = time.monotonic() - started
        pids = [worker.pid, *_children(worker.pid)]
        sizes = ", ".join(f"{_rss_mb(pid):.0f}" for pid in pids)
        print(
            f"{args.tasks} tasks in {elapsed:.1f} s; worker RSS (MB), main then children: {sizes}"
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


if __name__ == "__main__":
    main()
