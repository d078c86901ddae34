"""Two web processes and two workers on one database and one Redis behave as one site.

A suggestion sent to the first process is verified and published through the second;
the page the first had cached shows the change at once; the throttle counts a client's
posts on both; and the workers deliver every mail exactly once between them.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from contributions.models import Notification
from tests.factories import code_make
from tests.hardening.servers import free_port
from tests.notifications.backends import file_mail_ids

pytestmark = pytest.mark.celery
ROOT = Path(__file__).resolve().parent.parent


def _spawn(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _call(base: str, path: str, *, data=None, token: str = "", headers=None):
    body = json.dumps(data).encode() if data is not None else None
    method = "POST" if body else "GET"
    request = urllib.request.Request(f"{base}{path}", data=body, method=method)  # noqa: S310
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def _wait_for(base: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if _call(base, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not start")


@pytest.fixture
def site(transactional_db, settings, tmp_path, imaging):
    """Two gunicorn processes and two Celery workers sharing the test database and Redis."""
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("processes share the database and Redis: needs PostgreSQL and REDIS_URL")
    code_make("D0370", category=imaging, nomenclature="Ultrasound image capture")
    db = connection.settings_dict
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cdtsite.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or 'localhost'}"
            f":{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": f"scale-out-{os.getpid()}",
        "EMAIL_URL": f"filemail://{mail_dir}",
        "THROTTLE_ANON_WRITES": "3/min",
        "PUBLIC_CACHE_SECONDS": "300",
    }
    ports = [free_port(), free_port()]
    processes = [
        _spawn(
            ["gunicorn", "cdtsite.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"],
            env,
            tmp_path / f"web{port}.log",
        )
        for port in ports
    ]
    processes += [
        _spawn(
            ["celery", "-A", "cdtsite", "worker", "--pool", "solo", "--hostname",
             f"w{n}-{os.getpid()}@%h", "--without-mingle", "--without-gossip", "-l", "warning"],
            env,
            tmp_path / f"worker{n}.log",
        )
        for n in (1, 2)
    ]  # fmt: skip
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 60
        for base in bases:
            _wait_for(base, deadline)
        yield {"a": bases[0], "b": bases[1], "mail": mail_dir}
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def test_two_web_processes_and_two_workers_act_as_one_site(site, reviewer, publisher):
    a, b = site["a"], site["b"]
    tokens = {u: Token.objects.create(user=u).key for u in (reviewer, publisher)}

    # The first process caches the code page.
    assert _call(a, "/codes/D0370/")[1].get("X-Cache") == "miss"
    assert _call(a, "/codes/D0370/")[1].get("X-Cache") == "hit"

    status, _, body = _call(
        a,
        "/api/submissions/",
        data={
            "code": "D0370",
            "changes": {"nomenclature": "Ultrasound image capture, both processes"},
            "rationale": "Seen on two machines.",
            "sources": ["https://example.org/cdt"],
            "name": "Pat",
            "email": "pat@example.net",
        },
    )
    assert status == 201, body
    pk = json.loads(body)["id"]

    # Reviewed and published through the second process.
    assert (
        _call(b, f"/api/review/submissions/{pk}/verify/", data={}, token=tokens[reviewer])[0] == 200
    )
    status, _, body = _call(
        b, f"/api/review/submissions/{pk}/publish/", data={}, token=tokens[publisher]
    )
    assert status == 200, body

    # The first process's cached page is fresh at once.
    status, headers, page = _call(a, "/codes/D0370/")
    assert status == 200
    assert headers.get("X-Cache") == "miss"
    assert "both processes" in page

    # One client, one bucket across both processes: 3 a minute, one already spent on a.
    spent = [
        _call(base, "/api/questions/", data={
            "name": "Ann", "email": f"ann{n}@example.net", "subject": "Throttle",
            "body": "Two processes, one limit?",
        })[0]
        for n, base in enumerate([b, a, b])
    ]  # fmt: skip
    assert spent == [201, 201, 429]

    # Every mail of all this went out once, whichever worker took it.
    deadline = time.monotonic() + 60
    expected = set(Notification.objects.values_list("pk", flat=True))
    while time.monotonic() < deadline and set(file_mail_ids(site["mail"])) != expected:
        time.sleep(0.2)
    sent = file_mail_ids(site["mail"])
    assert set(sent) == expected
    assert [pk for pk, count in sent.items() if count > 1] == []
