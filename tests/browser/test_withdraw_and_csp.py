"""Withdraw from the tracking page in Chromium (the referrer policy once broke its CSRF
check), and the site's own pages raise no Content-Security-Policy violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from contributions.models import Submission
from contributions.suggestions.services import submission_create

pytestmark = pytest.mark.browser


def test_the_submitter_withdraws_in_a_real_browser(new_page, d0370):
    _submission, token = submission_create(
        code="D0370",
        changes={"billing_tips": "A better tip."},
        rationale="The manual says so.",
        sources=["https://example.org/m"],
        name="Pat",
        email="pat@example.net",
    )
    page = new_page()
    response = page.goto(f"/track/submissions/{token}/")
    assert response.headers["referrer-policy"] == "same-origin"
    page.locator("#withdraw-note").fill("Sent by mistake.")
    page.locator("#withdraw").click()
    expect(page.get_by_text("Your suggestion is withdrawn.")).to_be_visible()
    assert Submission.objects.get().status == Submission.Status.WITHDRAWN


def test_public_and_staff_pages_raise_no_csp_violation(new_page, d0370, roles):
    from tests.conftest import staff_member

    staff_member("Reviewers", "reviewer")
    submission, token = submission_create(
        code="D0370",
        changes={"billing_tips": "Another tip."},
        rationale="Why not.",
        sources=[],
        name="Pat",
        email="pat@example.net",
    )
    page = new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: (
            violations.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    for path in (
        "/",
        "/codes/",
        "/codes/D0370/",
        "/codes/D0370/suggest/",
        "/contact/",
        f"/track/submissions/{token}/",
        "/api/docs/",
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.goto(f"/admin/login/?next=/admin/contributions/submission/{submission.pk}/change/")
    page.locator("#id_username").fill("reviewer")
    page.locator("#id_password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".submission-review")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert violations == []
