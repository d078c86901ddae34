"""The suggested-edit workflow end to end, in a real browser.

A visitor suggests an edit on a code page, a reviewer verifies it in the admin, a second
user publishes it, and the code page shows the new text with the new revision number.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from contributions.models import Submission

pytestmark = pytest.mark.browser

PASSWORD = "pw"  # what tests.factories.UserFactory gives every user

OLD_TIP = "Bill once per visit."
ADDED = "Scanning both sides in the same visit is still one unit."
NEW_TIP = f"{OLD_TIP} {ADDED}"


def admin_login(page: Page, username: str) -> None:
    page.goto("/admin/login/?next=/admin/contributions/submission/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/contributions/submission/$"))


def open_from_queue(page: Page, submission: Submission) -> None:
    page.locator("#result_list").get_by_role("link", name="D0370").click()
    expect(page).to_have_url(
        re.compile(rf"/admin/contributions/submission/{submission.pk}/change/$")
    )


def test_suggested_edit_is_verified_published_and_shown_on_the_code_page(
    d0370, reviewer, publisher, new_page, screenshot, live_server
):
    # The visitor suggests an edit from the code page.
    visitor = new_page()
    visitor.goto("/codes/D0370/")
    expect(visitor.locator("footer.code-meta")).to_contain_text("Revision 1")
    visitor.locator("#suggest-edit").get_by_role("link", name="Suggest an edit").click()
    expect(visitor).to_have_url(re.compile(r"/codes/D0370/suggest/$"))
    tips = visitor.get_by_label("Billing tips", exact=True)
    expect(tips).to_have_value(OLD_TIP)
    tips.fill(NEW_TIP)
    visitor.get_by_label("Why is this change right?").fill("The payer's guide says so.")
    visitor.get_by_label("Sources", exact=True).fill("https://example.org/payer-guide")
    visitor.get_by_label("Your name").fill("Pat Visitor")
    visitor.get_by_label("Your email").fill("pat@example.net")
    visitor.locator("#suggest-submit").click()

    expect(visitor).to_have_url(re.compile(r"/track/submissions/[^/?]+/\?sent=1$"))
    expect(visitor.locator("#submission-status")).to_have_text("Submitted")
    tracking_url = visitor.locator("#tracking-url").input_value()
    screenshot(visitor, "tracking-sent")
    assert re.fullmatch(rf"{re.escape(live_server.url)}/track/submissions/[^/?]+/", tracking_url)
    submission = Submission.objects.get()
    assert submission.changes == {"billing_tips": NEW_TIP}

    # The reviewer sees the word diff and verifies.
    review = new_page()
    admin_login(review, "reviewer")
    open_from_queue(review, submission)
    expect(review.locator("#submission-status")).to_have_text("Submitted")
    diff_rows = review.locator("table.diff tbody tr")
    expect(diff_rows).to_have_count(1)
    expect(diff_rows.locator("th")).to_contain_text("Billing tips")
    # Only the added sentence is marked new; the unchanged start is not.
    expect(diff_rows.locator("ins")).to_have_text(ADDED)
    expect(diff_rows.locator("del")).to_have_count(0)
    expect(review.locator("#transition-publish")).to_have_count(0)
    screenshot(review, "review-reviewer")
    review.locator("#transition-verify").get_by_role("button", name="Verify").click()
    expect(review).to_have_url(re.compile(r"/admin/contributions/submission/$"))
    expect(review.locator(".messagelist")).to_contain_text(f"Suggestion #{submission.pk}")

    visitor.goto(tracking_url)
    expect(visitor.locator("#submission-status")).to_have_text("Verified")

    # A second person publishes it.
    publish = new_page()
    admin_login(publish, "publisher")
    open_from_queue(publish, submission)
    expect(publish.locator("#submission-status")).to_have_text("Verified")
    expect(publish.locator(".review-meta")).to_contain_text("Verified by")
    expect(publish.locator("#transition-verify")).to_have_count(0)
    screenshot(publish, "review-publisher")
    publish.locator("#transition-publish").get_by_role("button", name="Publish").click()
    expect(publish).to_have_url(re.compile(r"/admin/contributions/submission/$"))
    expect(publish.locator(".messagelist")).to_contain_text(f"Suggestion #{submission.pk}")

    # The visitor sees the new text, as revision 2, and the outcome on the tracking page.
    visitor.goto("/codes/D0370/")
    expect(visitor.locator("#billing-tips")).to_contain_text(NEW_TIP)
    expect(visitor.locator("footer.code-meta")).to_contain_text("Revision 2")
    screenshot(visitor, "code-page-published")
    visitor.goto(tracking_url)
    expect(visitor.locator("#submission-status")).to_have_text("Published")
    expect(visitor.locator(".page-head")).to_contain_text("revision 2")
    screenshot(visitor, "tracking-published")


def test_suggest_form_without_change_or_rationale_shows_errors_beside_the_fields(
    d0370, new_page, screenshot
):
    page = new_page()
    page.goto("/codes/D0370/suggest/")
    page.get_by_label("Your name").fill("Pat Visitor")
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/codes/D0370/suggest/")
    ) as sent:
        page.locator("#suggest-submit").click()

    assert sent.value.status == 400
    expect(page).to_have_url(re.compile(r"/codes/D0370/suggest/$"))
    expect(page.locator("#form-errors")).to_contain_text("Propose a new value")
    # The summary has focus and lists every error; each field is described by its own.
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Propose a new value for at least one field.",
            "Say why this change is right",
            "Enter your email address",
        ]
    )
    rationale = page.get_by_label("Why is this change right?")
    expect(rationale).to_have_accessible_description(re.compile("Say why this change is right"))
    expect(page.get_by_label("Your email")).to_have_accessible_description(
        re.compile("Enter your email address")
    )
    # What the visitor typed is kept, and fields without errors show none.
    name = page.locator(".field", has=page.get_by_label("Your name"))
    expect(name.get_by_role("textbox")).to_have_value("Pat Visitor")
    expect(name.locator(".field-error")).to_have_count(0)
    expect(page.get_by_label("Billing tips", exact=True)).to_have_value(OLD_TIP)
    screenshot(page, "suggest-errors")
    assert not Submission.objects.exists()
