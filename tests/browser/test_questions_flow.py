"""A billing question end to end, in a real browser.

A visitor asks a question on a code page, an expert claims and answers it in the admin,
the tracking page shows the answer, and the expert publishes it as a FAQ on the code page.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect

from contributions.models import Question

pytestmark = pytest.mark.browser

PASSWORD = "pw"  # what tests.factories.UserFactory gives every user

SUBJECT = "Can D0370 and D0386 go on one claim?"
BODY = "We scanned the floor of the mouth and took a panoramic image in the same visit."
NAME = "Ann Asker"
EMAIL = "ann.private@example.net"
ANSWER = "Yes: report each once. The payer may ask for the findings of both."


def test_question_asked_on_code_page_is_answered_in_admin_and_shown_on_tracking_page(
    d0370, expert, new_page, screenshot, live_server
):
    # The visitor asks from the code page's form, which carries no CSRF token.
    visitor = new_page()
    visitor.goto("/codes/D0370/")
    form = visitor.locator("section#questions form")
    expect(form).to_have_accessible_name("Ask a billing question about D0370")
    expect(form.locator("input[name=csrfmiddlewaretoken]")).to_have_count(0)
    form.get_by_label("Subject").fill(SUBJECT)
    form.get_by_label("Your question").fill(BODY)
    form.get_by_label("Your name").fill(NAME)
    form.get_by_label("Your email").fill(EMAIL)
    form.get_by_label("The question and its answer may be shown").check()
    with visitor.expect_request(
        lambda r: r.method == "POST" and r.url.endswith("/codes/D0370/questions/")
    ) as sent:
        visitor.locator("#ask-submit").click()

    # The origin check passed on the browser's own header, not the Origin fallback.
    assert sent.value.all_headers().get("sec-fetch-site") == "same-origin"
    expect(visitor).to_have_url(re.compile(r"/track/questions/[^/?]+/\?sent=1$"))
    expect(visitor.locator("#question-status")).to_have_text("New")
    question = Question.objects.get()
    assert (question.subject, question.code.code, question.publish_consent) == (
        SUBJECT,
        "D0370",
        True,
    )
    expect(visitor.locator("#sent-notice")).to_be_visible()
    expected_by = date_format(timezone.localtime(question.target_at), "l j F, H:i T")
    expect(visitor.locator("#expected-by")).to_have_text(expected_by)
    tracking_url = visitor.locator("#tracking-url").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/track/questions/[^/?]+/", tracking_url)
    screenshot(visitor, "question-tracking-sent")

    # The expert finds it in the queue, claims it and answers.
    desk = new_page()
    desk.goto("/admin/login/?next=/admin/contributions/question/")
    desk.locator("#id_username").fill("expert")
    desk.locator("#id_password").fill(PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    expect(desk).to_have_url(re.compile(r"/admin/contributions/question/$"))
    row = desk.locator("#result_list tbody tr", has_text=SUBJECT)
    expect(row.locator(".response-badge")).to_have_text("On track")
    row.get_by_role("link", name=SUBJECT).click()
    page_url = re.compile(rf"/admin/contributions/question/{question.pk}/change/$")
    expect(desk).to_have_url(page_url)
    expect(desk.locator("#question-status")).to_have_text("New")
    # An expert answers only what they have claimed.
    expect(desk.locator("#action-answer")).to_have_count(0)
    desk.locator("#action-claim").get_by_role("button", name="Assign to me").click()
    expect(desk).to_have_url(page_url)
    expect(desk.locator(".messagelist")).to_contain_text(f"Question #{question.pk} assigned to you")
    expect(desk.locator("#question-status")).to_have_text("Assigned")
    expect(desk.get_by_text("expert (since", exact=False)).to_be_visible()
    desk.get_by_label("Answer (mailed to the asker)").fill(ANSWER)
    screenshot(desk, "question-admin-assigned")
    desk.locator("#action-answer").get_by_role("button", name="Send the answer").click()
    expect(desk).to_have_url(re.compile(r"/admin/contributions/question/$"))
    expect(desk.locator(".messagelist")).to_contain_text(f"Question #{question.pk} answered")

    # The visitor's tracking page shows the answer.
    visitor.goto(tracking_url)
    expect(visitor.locator("#question-status")).to_have_text("Answered")
    expect(visitor.locator("section#answer")).to_contain_text(ANSWER)
    expect(visitor.locator("#sent-notice")).to_have_count(0)
    screenshot(visitor, "question-tracking-answered")

    # The asker agreed: the expert publishes it, and the code page shows it without
    # the asker's name or email.
    desk.goto(f"/admin/contributions/question/{question.pk}/change/")
    expect(desk.locator("#question-answer")).to_have_text(ANSWER)
    screenshot(desk, "question-admin-answered")
    desk.locator("#action-publish").get_by_role("button", name="Publish as FAQ on D0370").click()
    expect(desk.locator(".messagelist")).to_contain_text(f"Question #{question.pk} published")
    expect(desk.locator("#action-unpublish")).to_be_visible()

    visitor.goto("/codes/D0370/")
    faq = visitor.locator(f"section#questions details#question-{question.pk}")
    expect(faq.locator("summary")).to_have_text(SUBJECT)
    expect(faq).to_contain_text(BODY)
    expect(faq.locator(".faq__answer")).to_contain_text(ANSWER)
    section = visitor.locator("section#questions")
    expect(section).not_to_contain_text(NAME)
    expect(section).not_to_contain_text(EMAIL)
    screenshot(visitor, "question-code-page-faq")
