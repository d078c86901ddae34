"""`make bench`: the site under gunicorn with production settings, against a bare Django view.

    .venv/bin/python bench/run.py [--only notify] [--json FILE]

Creates a bench database on the PostgreSQL server of DATABASE_URL (default: the local
one), migrates it, loads the sample codes and `generate_scale_data`, starts the site
and the bare view (bench/bare) under gunicorn, 2 workers each, drives each URL with wrk
and prints one table. The time from a suggestion's commit to its reviewers' mail comes
from bench/notify_latency.py, run afterwards with a real Celery worker. Every process it
starts is stopped and the bench database dropped, also on failure or Ctrl-C.

Knobs (environment): BENCH_SUBMISSIONS (default 100000), BENCH_QUESTIONS (20000),
BENCH_SECONDS (seconds per public URL, 8), BENCH_STAFF_SECONDS (5, longer for slow pages so
they get ~20 samples, at most 60), BENCH_CONNECTIONS (16),
BENCH_THREADS (2), BENCH_WORKERS (2), BENCH_NOTIFY_COUNT (300), BENCH_DB (cdt_bench),
BENCH_REDIS_URL (REDIS_URL's server, database 7: the bench empties it), BENCH_KEEP_DB=1.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import loadgen  # noqa: E402
from bench.procs import Gunicorn, stop_group  # noqa: E402

CODE = "D0370"
WORDS = "ultrasound"
EXPAND = "/fhir/ValueSet/$expand?url=" + quote("http://www.ada.org/cdt?fhir_vs", safe="")
UNCACHED = {"Authorization": "Bearer bench"}
SUBMISSION = {
    "code": CODE,
    "changes": {"billing_tips": "Bench: bill the interpretation once per study."},
    "rationale": "Benchmark load.",
    "sources": ["https://example.org/bench"],
    "name": "Bench",
    "email": "bench@example.org",
}


def knob(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass
class Row:
    name: str
    path: str = ""
    load: str = ""
    rate: float | None = None
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None
    errors: int = 0
    share: float | None = None
    note: str = ""


@dataclass
class Target:
    name: str
    path: str
    staff: bool = False  # one request at a time, as a reviewer works
    method: str = "GET"
    body: str = ""
    headers: dict | None = None
    ok: int = 200
    skip: str = ""


def _url_with(url: str, *, path: str | None = None, db: int | None = None) -> str:
    parts = urlsplit(url)
    if db is not None:
        path = f"/{db}"
    return urlunsplit(parts._replace(path=path or parts.path))


def _postgres(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_url_with(url, path="/postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _manage(env: dict, *args: str) -> str:
    completed = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if completed.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{completed.stderr[-3000:]}")
    return completed.stdout


def _get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - local URL
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def _probe(base: str, target: Target) -> int:
    if target.method == "GET":
        return _get(base + target.path, target.headers)[0]
    request = urllib.request.Request(  # noqa: S310 - local URL
        base + target.path,
        data=target.body.encode(),
        method=target.method,
        headers=target.headers or {},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _targets(base: str, creds: dict) -> list[Target]:
    token = {"Authorization": f"Token {creds['token']}", "Accept": "application/json"}
    session = {"Cookie": creds["cookie"]}
    queue = "/api/review/submissions/"
    rows = [
        Target("code page", f"/codes/{CODE}/"),
        # An Authorization header (one no view accepts) takes the request past the public
        # cache: the whole page is built every time.
        Target("code page, uncached", f"/codes/{CODE}/", headers=UNCACHED),
        Target("search page", f"/codes/?q={WORDS}"),
        Target("code API", f"/api/codes/{CODE}/"),
        Target("code API, uncached", f"/api/codes/{CODE}/", headers=UNCACHED),
        Target("search API", f"/api/codes/?q={WORDS}"),
        Target("$expand (FHIR)", f"{EXPAND}&filter={WORDS}"),
        Target(
            "POST /api/submissions/",
            "/api/submissions/",
            method="POST",
            body=json.dumps(SUBMISSION),
            headers={"Content-Type": "application/json"},
            ok=201,
        ),
    ]
    # Keyset pages: the first, one at the middle row (a cursor made in the bench database)
    # and the last (the newest first), each over every suggestion.
    middle = creds.get("middle_cursor", "")
    pages = {
        "first": f"{queue}?status=all",
        "middle": f"{queue}?status=all&cursor={quote(middle)}" if middle else "",
        "last": f"{queue}?status=all&ordering=-created_at",
    }
    for label, path in pages.items():
        rows.append(
            Target(
                f"review queue API, {label} page",
                path or queue,
                staff=True,
                headers=token,
                skip="" if path else "skipped: no suggestions to page through",
            )
        )
    today = datetime.datetime.now(datetime.UTC).date()
    ninety_days_ago = today - datetime.timedelta(days=89)
    rows += [
        Target(f"review queue API, ?code={CODE}", f"{queue}?code={CODE}", True, headers=token),
        Target(
            "review queue API, ?status=submitted&code",
            f"{queue}?status=submitted&code={CODE}",
            True,
            headers=token,
        ),
        Target("admin suggestions", "/admin/contributions/submission/", True, headers=session),
        Target(
            f"admin suggestions, search {CODE}",
            f"/admin/contributions/submission/?q={CODE}",
            True,
            headers=session,
        ),
        Target(
            "admin suggestions, search by name",
            "/admin/contributions/submission/?q=Patel",
            True,
            headers=session,
        ),
        Target(
            # The last page the admin shows (EstimatedCountPaginator.max_pages); past it
            # the admin redirects, which wrk would time instead of a page.
            "admin suggestions, page 200 (the last)",
            "/admin/contributions/submission/?p=200",
            True,
            headers=session,
        ),
        Target("admin questions", "/admin/contributions/question/", True, headers=session),
        Target(
            "admin questions, answered in time",
            "/admin/contributions/question/?response=met",
            True,
            headers=session,
        ),
        Target(
            "response-time report, 90 days",
            f"/admin/contributions/question/report/?start={ninety_days_ago}&end={today}",
            True,
            headers=session,
        ),
        Target("admin outbox", "/admin/contributions/notification/", True, headers=session),
    ]
    return rows


def _measure(server: Gunicorn, target: Target) -> Row:
    seconds = knob("BENCH_STAFF_SECONDS", 5) if target.staff else knob("BENCH_SECONDS", 8)
    connections = 1 if target.staff else knob("BENCH_CONNECTIONS", 16)
    threads = 1 if target.staff else knob("BENCH_THREADS", 2)
    row = Row(target.name, target.path, f"c{connections}")
    if target.skip:
        row.note = target.skip
        return row
    probe_started = time.monotonic()
    status = _probe(server.base, target)
    if target.staff:
        # Slow staff pages still get about 20 samples (up to a minute), not one or two.
        seconds = max(seconds, min(60, 20 * (time.monotonic() - probe_started)))
    if status != target.ok:
        row.note = f"skipped: HTTP {status}"
        return row
    options = dict(method=target.method, body=target.body, headers=target.headers, threads=threads)
    loadgen.run(server.base + target.path, seconds=1, connections=connections, **options)
    result = loadgen.run(
        server.base + target.path, seconds=seconds, connections=connections, **options
    )
    row.rate, row.p50, row.p95, row.p99 = result.rate, result.p50, result.p95, result.p99
    row.errors = result.errors
    return row


def _notify_row(env: dict) -> Row:
    row = Row("commit → reviewer's mail", "bench/notify_latency.py", "10/s")
    count = str(knob("BENCH_NOTIFY_COUNT", 300))
    # Its own process group: on the way out, its Celery worker goes down with it.
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "bench/notify_latency.py", "--count", count, "--json"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate()
    finally:
        stop_group(process)
    completed = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            result = json.loads(line.removeprefix("BENCH-RESULT "))
            row.p50, row.p95, row.p99 = result["p50"], result["p95"], result["p99"]
            return row
    row.note = "failed: " + (completed.stderr.strip().splitlines() or ["no output"])[-1]
    return row


def _fmt(value: float | None, spec: str) -> str:
    return "" if value is None else format(value, spec)


def table(rows: list[Row]) -> str:
    lines = [
        "| endpoint | load | req/s | p50 ms | p95 ms | p99 ms | share of bare | errors | note |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r.name} | {r.load} | {_fmt(r.rate, ',.1f')} | {_fmt(r.p50, '.1f')} | "
            f"{_fmt(r.p95, '.1f')} | {_fmt(r.p99, '.1f')} | {_fmt(r.share, '.3f')} | "
            f"{r.errors if r.rate is not None else ''} | {r.note} |"
        )
    return "\n".join(lines)


def bench(json_path: str | None) -> None:
    loadgen.wrk_path()
    database = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    if not database.startswith(("postgres://", "postgresql://")):
        raise SystemExit("The bench runs against PostgreSQL: set DATABASE_URL=postgres://…")
    name = os.environ.get("BENCH_DB", "cdt_bench")
    bench_db = _url_with(database, path=f"/{name}")
    redis_url = os.environ.get("BENCH_REDIS_URL") or _url_with(
        os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0", db=7
    )
    work = Path(tempfile.mkdtemp(prefix="cdt-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cdtsite.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": bench_db,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "cdt-bench",
        "THROTTLE_ANON_WRITES": "100000000/min",
        "EMAIL_URL": f"filemail://{work / 'mail'}",
        "LOG_LEVEL": "WARNING",
    }
    import redis

    redis_client = redis.Redis.from_url(redis_url)
    servers: list[Gunicorn] = []
    rows: list[Row] = []
    started = time.monotonic()
    try:
        redis_client.flushdb()
        _postgres(database, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _postgres(database, f'CREATE DATABASE "{name}"')
        print(f"bench database {name}, redis {redis_url}; loading data…", flush=True)
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "load_sample_data")
        _manage(env, "setup_roles")
        _manage(env, "collectstatic", "--noinput", "-v0")
        subs, questions = knob("BENCH_SUBMISSIONS", 100_000), knob("BENCH_QUESTIONS", 20_000)
        t0 = time.monotonic()
        print(
            _manage(
                env,
                *("generate_scale_data", "--yes", "--seed", "1"),
                *("--submissions", str(subs), "--questions", str(questions)),
            ).strip(),
            f"({time.monotonic() - t0:.0f}s)",
            flush=True,
        )
        creds = json.loads(
            subprocess.run(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "bench.prepare"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        workers = knob("BENCH_WORKERS", 2)
        bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.bare.settings"}
        bare = Gunicorn("bench.bare.wsgi:application", env=bare_env, workers=workers,
                        log=work / "bare.log")  # fmt: skip
        servers.append(bare)
        site = Gunicorn("cdtsite.wsgi:application", env=env, workers=workers,
                        log=work / "site.log")  # fmt: skip
        servers.append(site)
        bare.wait_ready()
        site.wait_ready("/healthz")
        print("measuring…", flush=True)
        load_before = os.getloadavg()
        # The bare view first and last: the gap between the two shows the machine's noise.
        ceilings = [_measure(bare, Target("bare Django view (ceiling)", "/"))]
        rows.append(ceilings[0])
        for target in _targets(site.base, creds):
            rows.append(_measure(site, target))
            print(f"  {rows[-1].name}: {_fmt(rows[-1].rate, '.1f')} req/s {rows[-1].note}",
                  flush=True)  # fmt: skip
        ceilings.append(_measure(bare, Target("bare Django view, again at the end", "/")))
        rows.append(ceilings[1])
        bare_rate = sum(r.rate or 0 for r in ceilings) / len(ceilings)
        for row in rows:
            row.share = row.rate / bare_rate if row.rate is not None and bare_rate else None
        rss = {"site": site.worker_rss_mb(), "bare": bare.worker_rss_mb()}
        for server in servers:
            server.stop()
        redis_client.flushdb()  # the site's queued tasks: no worker of this database runs
        rows.append(_notify_row(env))
        print()
        print(table(rows))
        print()
        print(
            "gunicorn worker RSS after the run (MB): "
            f"site {', '.join(f'{m:.0f}' for m in rss['site'])}; "
            f"bare {', '.join(f'{m:.0f}' for m in rss['bare'])}"
        )
        print(
            f"data: {subs:,} suggestions, {questions:,} questions; workers {workers}; "
            f"{os.cpu_count()} CPUs; load average {load_before[0]:.1f} before, "
            f"{os.getloadavg()[0]:.1f} after; total {time.monotonic() - started:.0f}s"
        )
        print("share of bare: req/s over the mean of the two bare-view runs")
        if json_path:
            Path(json_path).write_text(
                json.dumps({"rows": [asdict(r) for r in rows], "rss_mb": rss}, indent=2)
            )
    finally:
        for server in servers:
            server.stop()
        try:
            redis_client.flushdb()
        except redis.RedisError:
            pass
        # notify_latency.py's own database too, in case it was stopped half-way.
        _postgres(database, f'DROP DATABASE IF EXISTS "{name}_bench" WITH (FORCE)')
        if not os.environ.get("BENCH_KEEP_DB"):
            _postgres(database, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only", choices=["notify"], help="notify: only commit → reviewer mail, as before"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()
    # A TERM (a CI timeout, `kill`) unwinds like Ctrl-C, so every server is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.only == "notify":
        import runpy

        sys.argv = [str(ROOT / "bench" / "notify_latency.py")]
        runpy.run_path(sys.argv[0], run_name="__main__")
        return
    bench(args.json)


if __name__ == "__main__":
    main()
