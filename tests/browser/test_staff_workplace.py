"""The staff workplace in a real browser at 1280 px: the queues fit, and a reviewer works
through the review queue with the keyboard alone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from contributions.models import Question, Submission
from contributions.questions.services import question_assign, question_create
from contributions.suggestions.admin import STANDARD_REASONS
from contributions.suggestions.services import (
    submission_create,
    submission_publish,
    submission_verify,
)
from tests.factories import code_make

pytestmark = pytest.mark.browser

PASSWORD = "pw"  # what tests.factories.UserFactory gives every user
DESKTOP = {"width": 1280, "height": 800}


def login(page: Page, username: str, next_url: str) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(f"/admin/login/?next={next_url}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))


def suggest(changes: dict, name: str = "Pat Visitor") -> Submission:
    submission, _token = submission_create(
        code="D0370",
        changes=changes,
        rationale="The payer's guide says so.",
        sources=["https://example.org/guide"],
        name=name,
        email="pat@example.net",
    )
    return submission


def review_url(submission: Submission) -> str:
    return f"/admin/contributions/submission/{submission.pk}/change/"


def fits(page: Page) -> bool:
    """The changelist's table shows every column without a horizontal scrollbar."""
    return page.evaluate(
        "() => { const r = document.querySelector('#changelist .results');"
        " return r.scrollWidth <= r.clientWidth; }"
    )


def test_queues_fit_at_1280_px_with_plain_labels(
    d0370, imaging, reviewer, publisher, expert, new_page, screenshot
):
    code_make("D0371", category=imaging)
    # A queue with a long subject, a stale suggestion and every field changed at once.
    published = suggest({"billing_tips": "A tip that gets published."})
    stale = suggest({"billing_tips": "A competing tip.", "body": "Longer body text."})
    suggest(
        {
            "nomenclature": "Maxillofacial ultrasound (both sides)",
            "descriptor": "New descriptor.",
            "body": "New body.",
            "documentation": "What to keep.",
            "billing_tips": "Another tip.",
            "related_codes": ["D0371"],
        },
        name="Somebody With A Rather Long Name",
    )
    submission_verify(submission_id=published.pk, actor=reviewer)
    submission_publish(submission_id=published.pk, actor=publisher)
    for n in range(3):
        question, _token = question_create(
            name="Ann Asker",
            email="ann@example.net",
            subject="Can D0370 and D0386 go on one claim when both sides were scanned "
            f"during the same visit? ({n})",
            body="Same visit, two images.",
            code="D0370",
        )
    question_assign(question_id=question.pk, actor=expert)
    now = timezone.now()
    Question.objects.filter(pk=question.pk).update(
        received_at=now - timedelta(days=1, hours=1), target_at=now - timedelta(hours=1)
    )

    page = new_page()
    login(page, "reviewer", "/admin/contributions/submission/")
    expect(page.locator("#site-name")).to_have_text("CDT Codes · staff workplace")
    stale_row = page.locator("#result_list tr", has=page.get_by_role("link", name=str(stale.pk)))
    expect(stale_row.locator(".stale-badge")).to_have_text("Stale")
    expect(page.locator("#result_list")).to_contain_text("Title (nomenclature)")
    expect(page.locator("#result_list")).not_to_contain_text("billing_tips")
    expect(page.locator("#changelist-filter")).to_contain_text("By freshness")
    expect(page.locator("#my-queue")).to_contain_text("2 waiting for me")
    screenshot(page, "queue-suggestions-1280")
    assert fits(page)

    page = new_page()
    login(page, "expert", "/admin/contributions/question/")
    expect(page.locator("#my-queue")).to_contain_text("1 waiting for me")
    expect(page.locator("#my-queue")).to_contain_text("1 of mine at risk")
    screenshot(page, "queue-questions-1280")
    assert fits(page)


def test_reviewer_works_the_queue_with_the_keyboard(d0370, reviewer, new_page, screenshot):
    first = suggest({"billing_tips": "First tip."})
    second = suggest({"body": "Second body."})
    third = suggest({"documentation": "Third documentation."})
    page = new_page()
    login(page, "reviewer", review_url(first))
    shortcuts = page.locator("#shortcuts")
    expect(shortcuts).to_contain_text("Verify")
    expect(shortcuts.locator("ol.reasons li")).to_have_count(len(STANDARD_REASONS))
    screenshot(page, "review-shortcuts-1280")

    # j and k move through the queue.
    page.keyboard.press("j")
    expect(page).to_have_url(re.compile(re.escape(review_url(second)) + "$"))
    page.keyboard.press("k")
    expect(page).to_have_url(re.compile(re.escape(review_url(first)) + "$"))

    # Typing in a field is text, not commands.
    note = page.locator("#note-verify")
    note.click()
    page.keyboard.type("jvk2")
    expect(note).to_have_value("jvk2")
    expect(page).to_have_url(re.compile(re.escape(review_url(first)) + "$"))
    page.keyboard.press("Escape")

    # 2 picks the second standard reason and puts focus on Reject; Enter sends it.
    page.keyboard.press("2")
    reject = page.locator("#transition-reject")
    expect(reject.locator("select[name=standard_reason]")).to_have_value(STANDARD_REASONS[1])
    expect(reject.get_by_role("button", name="Reject")).to_be_focused()
    page.keyboard.press("Enter")
    # On to the next suggestion, with a message that links to the rejected one.
    expect(page).to_have_url(re.compile(re.escape(review_url(second)) + "$"))
    expect(page.locator(".messagelist a", has_text=f"Suggestion #{first.pk}")).to_have_attribute(
        "href", review_url(first)
    )
    first.refresh_from_db()
    assert (first.status, first.rejection_reason) == ("rejected", STANDARD_REASONS[1])

    # v verifies; then the third; then back to the queue.
    page.keyboard.press("v")
    expect(page).to_have_url(re.compile(re.escape(review_url(third)) + "$"))
    page.keyboard.press("v")
    expect(page).to_have_url(re.compile(r"/admin/contributions/submission/$"))
    expect(page.locator(".messagelist")).to_contain_text("Nothing else waits for you")
    assert set(Submission.objects.values_list("status", flat=True)) == {"rejected", "verified"}


def test_answer_and_publish_in_one_step(d0370, expert, new_page, screenshot):
    question, _token = question_create(
        name="Ann Asker",
        email="ann@example.net",
        subject="Two images, one claim?",
        body="Same visit.",
        code="D0370",
        publish_consent=True,
    )
    question_assign(question_id=question.pk, actor=expert)
    page = new_page()
    login(page, "expert", f"/admin/contributions/question/{question.pk}/change/")
    expect(page.locator("#action-spam button")).to_have_class(re.compile(r"\bdanger\b"))
    page.locator("#id_answer").fill("Yes: report each once.")
    page.get_by_label(re.compile("Also publish it as a FAQ")).check()
    screenshot(page, "question-answer-1280")
    page.get_by_role("button", name="Send the answer").click()
    expect(page).to_have_url(re.compile(r"/admin/contributions/question/$"))
    page.locator(".messagelist").get_by_role("link", name="D0370’s page").click()
    expect(page).to_have_url(re.compile(r"/codes/D0370/"))
    expect(page.locator("section#questions")).to_contain_text("Yes: report each once.")
    question.refresh_from_db()
    assert (question.status, question.is_published) == ("answered", True)


def test_report_dates_read_the_same_in_the_inputs_and_the_heading(
    d0370, lead, new_page, screenshot
):
    question_create(name="Ann Asker", email="ann@example.net", subject="Due later", body="Body.")
    page = new_page()
    login(page, "lead", "/admin/")
    # The home lists the queues first, their audit trails after.
    models = page.locator("#content-main .app-contributions th a").all_inner_texts()
    assert models.index("Questions") < models.index("Question events")
    screenshot(page, "admin-home-1280")
    page.goto("/admin/contributions/question/report/?start=2026-04-06&end=2026-04-19")
    expect(page.locator("#id_start")).to_have_value("2026-04-06")
    expect(page.locator("#id_end")).to_have_value("2026-04-19")
    expect(page.locator("#report-period")).to_have_text(
        "Questions received from 2026-04-06 to 2026-04-19"
    )
    today = timezone.localdate().isoformat()
    page.locator("#id_start").fill(today)
    page.locator("#id_end").fill(today)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#report-period")).to_contain_text(f"from {today} to {today}")
    expect(page.locator("#n-received")).to_have_text("1")
    expect(page.locator("#n-due")).to_have_text("0")
    expect(page.locator("#n-within")).to_have_text("—")
    expect(page.locator("#report-numbers")).to_contain_text("The 1 not yet due")
    screenshot(page, "report-1280")
