"""The suggest and ask paths with the keyboard alone (Tab, Enter, Space and typing),
and a focus order that follows the layout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from contributions.models import Question, Submission

from .axe import VIEWPORTS

pytestmark = pytest.mark.browser

MAX_TABS = 80


def _focused(page: Page) -> str:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return e.id ? '#' + e.id : (e.textContent || e.tagName).trim(); }"""
    )


def tab_to(page: Page, selector: str) -> list[str]:
    """Press Tab until `selector` has focus; returns the stops on the way."""
    stops = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        stops.append(_focused(page))
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return stops
    raise AssertionError(f"{selector} never took focus; stops: {stops}")


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_suggest_an_edit_comes_before_the_question_form(d0370, new_page, width):
    page = new_page(viewport=VIEWPORTS[width])
    page.goto("/codes/D0370/")
    stops = tab_to(page, "#id_subject")
    assert stops[0] == "Skip to main content"
    assert "Suggest an edit" in stops
    assert stops.index("Suggest an edit") < stops.index("#id_subject")


def test_skip_link_moves_focus_to_the_main_content(d0370, new_page):
    page = new_page()
    page.goto("/codes/D0370/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("nav.breadcrumb").get_by_role("link", name="Home")).to_be_focused()


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_suggest_path_with_the_keyboard_alone(d0370, new_page, width):
    page = new_page(viewport=VIEWPORTS[width])
    page.goto("/codes/D0370/")
    tab_to(page, "#suggest-edit a")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/codes/D0370/suggest/$"))

    # A first try without the required fields: the summary takes focus, and its links
    # lead to the fields.
    tab_to(page, "#suggest-submit")
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    page.keyboard.press("Tab")
    first = summary.get_by_role("link").first
    expect(first).to_be_focused()
    expect(first).to_have_text("Propose a new value for at least one field.")
    page.keyboard.press("Enter")
    expect(page.locator("#id_nomenclature")).to_be_focused()
    # The change itself: billing tips, typed where Tab leaves the caret.
    tab_to(page, "#id_billing_tips")
    page.keyboard.type("Once per visit. ")
    tab_to(page, "#id_rationale")
    page.keyboard.type("The payer's manual counts a visit, not an area.")
    page.keyboard.press("Tab")
    expect(page.locator("#id_sources")).to_be_focused()
    page.keyboard.type("https://example.org/payer-manual")
    page.keyboard.press("Tab")
    expect(page.locator("#id_name")).to_be_focused()
    page.keyboard.type("Pat Visitor")
    page.keyboard.press("Tab")
    expect(page.locator("#id_email")).to_be_focused()
    page.keyboard.type("pat@example.net")
    tab_to(page, "#suggest-submit")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/track/submissions/[^/?]+/\?sent=1$"))
    submission = Submission.objects.get()
    assert "Once per visit." in submission.changes["billing_tips"]
    assert (submission.submitter_name, submission.submitter_email) == (
        "Pat Visitor",
        "pat@example.net",
    )


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_ask_path_on_the_code_page_with_the_keyboard_alone(d0370, new_page, width):
    page = new_page(viewport=VIEWPORTS[width])
    page.goto("/codes/D0370/")
    tab_to(page, "#id_subject")
    page.keyboard.type("Two images, one visit?")
    page.keyboard.press("Tab")
    page.keyboard.type("Can D0370 and D0386 go on one claim?")
    page.keyboard.press("Tab")
    expect(page.locator("#id_name")).to_be_focused()
    page.keyboard.type("Ann Asker")
    page.keyboard.press("Tab")
    page.keyboard.type("ann@example.net")
    page.keyboard.press("Tab")
    expect(page.locator("#id_publish_consent")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.locator("#ask-submit")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/track/questions/[^/?]+/\?sent=1$"))
    question = Question.objects.get()
    assert (question.subject, question.code.code, question.publish_consent) == (
        "Two images, one visit?",
        "D0370",
        True,
    )


def test_contact_path_recovers_from_errors_with_the_keyboard_alone(d0370, new_page):
    page = new_page(viewport=VIEWPORTS["phone"])
    page.goto("/contact/")
    tab_to(page, "#ask-submit")
    page.keyboard.press("Enter")
    expect(page.locator("#error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the first error: "Enter a subject"
    expect(page.locator("#id_subject")).to_be_focused()
    page.keyboard.type("Which code for a ceph?")
    page.keyboard.press("Tab")
    page.keyboard.type("A lateral ceph, read by us.")
    page.keyboard.press("Tab")
    expect(page.locator("#id_code")).to_be_focused()
    page.keyboard.type("0370")
    for text in ("Ann Asker", "ann@example.net"):
        page.keyboard.press("Tab")
        page.keyboard.type(text)
    tab_to(page, "#ask-submit")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/track/questions/[^/?]+/\?sent=1$"))
    assert Question.objects.get().code.code == "D0370"


def test_focus_ring_is_drawn_with_contrast(d0370, new_page):
    page = new_page()
    page.goto("/codes/D0370/")
    tab_to(page, "#id_subject")
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow]; }"""
    )
    assert style[0] == "solid" and style[1] == "3px"
    assert style[2] == "rgb(255, 221, 0)"  # the yellow ring…
    assert "rgb(11, 12, 12)" in style[3]  # …with a near-black edge


def test_code_page_prints_its_text_only(d0370, new_page):
    page = new_page()
    page.goto("/codes/D0370/")
    page.emulate_media(media="print")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#billing-tips")).to_be_visible()
    for hidden in (".site-header", ".site-footer", ".code-aside", "#questions", ".breadcrumb"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator(".code-meta .print-only")).to_have_text(re.compile(r"/codes/D0370/$"))
