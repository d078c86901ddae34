"""A deploy that is safe by default: CSP without inline code, Permissions-Policy,
check --deploy clean, admin sign-in throttling, private tracking answers, health checks."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from tests.hardening.conftest import QUESTION

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I)


def _assert_no_inline_code(html: str, where: str):
    assert not INLINE_SCRIPT.search(html), f"inline <script> on {where}"
    assert "<style" not in html.lower(), f"inline <style> on {where}"
    assert not re.search(r"\sstyle=\"", html), f"style attribute on {where}"
    assert not re.search(r"\son[a-z]+=\"", html), f"inline event handler on {where}"


def test_every_page_has_a_strict_csp_and_permissions_policy(client, d0370):
    for path in (
        "/",
        "/codes/",
        "/codes/D0370/",
        "/codes/D0370/suggest/",
        "/contact/",
        "/api/codes/",
    ):
        response = client.get(path)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp
        assert "camera=()" in response["Permissions-Policy"]
        if response["Content-Type"].startswith("text/html"):
            _assert_no_inline_code(response.content.decode(), path)


def test_staff_pages_carry_no_inline_code(admin_client, d0370, submission_token):
    from contributions.models import Question, Submission
    from contributions.questions.services import question_create

    question_create(**QUESTION)
    pages = [
        f"/admin/contributions/submission/{Submission.objects.get().pk}/change/",
        "/admin/contributions/submission/",
        "/admin/contributions/question/",
        f"/admin/contributions/question/{Question.objects.get().pk}/change/",
        "/admin/contributions/question/report/",
    ]
    for path in pages:
        response = admin_client.get(path, follow=True)
        assert response.status_code == 200, path
        _assert_no_inline_code(response.content.decode(), path)
    review = admin_client.get(pages[0], follow=True).content.decode()
    assert "contributions/review.js" in review


def test_tracking_answers_are_private_html_and_json(client, submission_token):
    api = APIClient()
    answers = [
        client.get(f"/track/submissions/{submission_token}/"),
        api.get(f"/api/submissions/track/{submission_token}/"),
        api.post(f"/api/submissions/track/{submission_token}/withdraw/", {}, format="json"),
    ]
    url = api.post("/api/questions/", QUESTION, format="json").json()["tracking_url"]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    answers += [client.get(f"/track/questions/{token}/"), api.get(f"/api/questions/track/{token}/")]
    for response in answers:
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert response["Referrer-Policy"] == "same-origin"


def test_healthz_and_readyz_name_each_check(client):
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "checks": {"process": "ok"}}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert checks["database"] == "ok"
    assert set(checks) == {"database", "redis" if os.environ.get("REDIS_URL") else "broker"}
    assert "no-cache" in ready["Cache-Control"] or "no-store" in ready["Cache-Control"]


def test_readyz_is_503_when_redis_does_not_answer(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["redis"].startswith("error")


@override_settings(AXES_FAILURE_LIMIT=5)
def test_admin_sign_in_locks_a_user_name_after_five_failures(django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.net", "right-password")
    client = Client(REMOTE_ADDR="198.51.100.20")
    codes = [
        client.post("/admin/login/", {"username": "boss", "password": "wrong"}).status_code
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 200, 429]  # the form again, then the fifth failure locks
    locked = client.post("/admin/login/", {"username": "boss", "password": "right-password"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another client may still sign in with the right password.
    other = Client(REMOTE_ADDR="198.51.100.21")
    ok = other.post("/admin/login/", {"username": "boss", "password": "right-password"})
    assert ok.status_code == 302


def test_check_deploy_with_production_settings_has_no_warnings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cdtsite.settings.production",
        "SECRET_KEY": "q" * 20 + "7Zk2-pW9!xR4&mB1@vL8#nC5$tY3^hJ6*dF0",
        "ALLOWED_HOSTS": "cdt.example.org",
        "DEBUG": "false",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
