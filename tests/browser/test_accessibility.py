"""axe-core on every public page and form, empty and after a failed submit, at 1280 and
390 px: no violations and nothing left for a person to check ("incomplete")."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .axe import VIEWPORTS, axe_check
from .public_site import public_site_make

pytestmark = pytest.mark.browser


def _submit_empty_suggestion(page: Page) -> None:
    page.goto("/codes/D0370/suggest/")
    page.locator("#suggest-submit").click()


def _submit_empty_contact(page: Page) -> None:
    page.goto("/contact/")
    page.locator("#ask-submit").click()


def _submit_empty_claim_check(page: Page) -> None:
    page.goto("/codes/validate/")
    page.locator("#id_date_of_service").fill("")
    page.locator("#claim-check-submit").click()


def _check_a_claim(page: Page) -> None:
    page.goto("/codes/validate/")
    page.locator("#id_date_of_service").fill("2019-12-30")
    page.locator("#id_codes").fill("D0702 D0370, d9940")
    page.locator("#claim-check-submit").click()
    expect(page.locator("#claim-results")).to_contain_text("takes effect on 2020-01-01")


def _submit_empty_code_page_question(page: Page) -> None:
    page.goto("/codes/D0370/")
    page.locator("#ask-submit").click()


# name -> how to get there (a path, or steps that end on the page to check)
PAGES: dict[str, str | Callable[[Page], None]] = {
    "home": "/",
    "list": "/codes/",
    "category": "/codes/?category=diagnostic-imaging",
    "search-results": "/codes/?q=ultrasound",
    "search-nothing": "/codes/?q=zzzz",
    "code": "/codes/D0370/",
    "code-deleted": "/codes/D0360/",
    "suggest": "/codes/D0370/suggest/",
    "suggest-failed": _submit_empty_suggestion,
    "contact": "/contact/",
    "contact-failed": _submit_empty_contact,
    "code-question-failed": _submit_empty_code_page_question,
    "track-submission": "track-submission",
    "track-question": "track-question",
    "changes": "/changes/",
    "code-on-a-date": "/codes/D0360/?on=2012-06-01",
    "code-not-in-force": "/codes/D0360/?on=2026-06-01",
    "compare": "/codes/D0330/compare/",
    "claim-check": "/codes/validate/",
    "claim-check-failed": _submit_empty_claim_check,
    "claim-check-results": _check_a_claim,
    "not-found": "/codes/D9999/",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_public_page_has_no_axe_violations_or_incompletes(name, categories, expert, new_page):
    site = public_site_make(expert=expert)
    target = PAGES[name]
    if target == "track-submission":
        target = f"/track/submissions/{site.submission_token}/?sent=1"
    elif target == "track-question":
        target = f"/track/questions/{site.question_token}/?sent=1"
    for width, viewport in VIEWPORTS.items():
        page = new_page(viewport=viewport)
        if callable(target):
            target(page)
            if name.endswith("-failed"):
                expect(page.locator("#error-summary")).to_be_focused()
        else:
            page.goto(target)
        result = axe_check(page)
        print(
            f"axe {name} {viewport['width']}px: {result.passes} rules passed, "
            f"{len(result.violations)} violations, {len(result.incomplete)} incomplete"
        )
        assert not result.violations and not result.incomplete, (
            f"{name} at {width} ({result.url}):\n{result.problems()}"
        )


def test_the_check_reports_what_it_is_shown(browser):
    """The check itself can fail: a page with known faults yields them."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>x</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<p style="color:#bbb;background:#fff">faint text</p>'
        '<input id="e" aria-describedby="missing-id"></main></body></html>'
    )
    result = axe_check(page)
    context.close()
    found = {item["id"] for item in result.violations + result.incomplete}
    assert {"image-alt", "color-contrast", "label"} <= found
