"""A PostgreSQL outage: 503 (JSON under /api/, a page elsewhere), nothing half-written,
and after the restart pooled connections are checked, so no request fails.

The site runs in gunicorn against a PRIVATE PostgreSQL on a free port, which the test
stops and starts; the shared server is never touched.
"""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests.hardening.servers import PrivatePostgres, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
QUESTION = {"name": "Ann", "email": "ann@example.net", "subject": "S", "body": "B"}


@pytest.fixture(scope="module")
def site():
    pg = PrivatePostgres()
    pg.init()
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cdtsite.settings.test",
        "DATABASE_URL": pg.url,
        "CONN_MAX_AGE": "600",
    }
    env.pop("REDIS_URL", None)  # the embedded broker: nothing shared is touched
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cdtsite.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--threads",
            "1",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield pg, f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        pg.destroy()


class Answer:
    def __init__(self, status, headers, body: bytes):
        self.status_code, self.headers, self.text = status, headers, body.decode()

    def json(self):
        return json.loads(self.text)


def _call(method: str, url: str, body=None) -> Answer:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.headers, exc.read())


class requests:  # noqa: N801  (the few calls this test makes)
    @staticmethod
    def get(url, timeout=None):
        return _call("GET", url)

    @staticmethod
    def post(url, json=None, timeout=None):
        return _call("POST", url, json)


def _questions(pg) -> int:
    with psycopg.connect(pg.url) as conn:
        return conn.execute("SELECT count(*) FROM contributions_question").fetchone()[0]


def test_an_outage_is_a_503_and_the_restart_fails_no_request(site):
    pg, base = site
    assert requests.get(f"{base}/api/codes/", timeout=10).status_code == 200
    assert requests.get(f"{base}/codes/", timeout=10).status_code == 200
    assert requests.post(f"{base}/api/questions/", json=QUESTION, timeout=10).status_code == 201
    assert requests.get(f"{base}/readyz", timeout=10).json()["checks"]["database"] == "ok"
    before = _questions(pg)

    pg.stop()
    api = requests.get(f"{base}/api/codes/", timeout=10)
    assert api.status_code == 503
    assert api.headers["Content-Type"] == "application/json"
    assert "database" in api.json()["detail"]
    assert int(api.headers["Retry-After"]) > 0
    page = requests.get(f"{base}/codes/", timeout=10)
    assert page.status_code == 503 and page.headers["Content-Type"].startswith("text/html")
    assert "briefly unavailable" in page.text
    post = requests.post(f"{base}/api/questions/", json=QUESTION, timeout=10)
    assert post.status_code == 503 and post.json()["detail"]
    assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
    ready = requests.get(f"{base}/readyz", timeout=10)
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"].startswith("error")

    pg.start()
    answers = [requests.get(f"{base}/api/codes/", timeout=10).status_code for _ in range(5)]
    assert answers == [200] * 5  # the stale pooled connection was checked, not used
    assert requests.post(f"{base}/api/questions/", json=QUESTION, timeout=10).status_code == 201
    assert _questions(pg) == before + 1  # the refused one was not half-written
