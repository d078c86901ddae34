"""`make screenshots`: the pages people see, at 1280 and 390 px, as PNGs for a person.

Not collected by `make test` (the file name does not start with test_); run by path.
SCREENSHOT_DIR picks the folder (default docs/screenshots).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from contributions.models import Submission

from .axe import VIEWPORTS
from .public_site import public_site_make

pytestmark = pytest.mark.browser

FOLDER = Path(os.environ.get("SCREENSHOT_DIR") or Path(__file__).parents[2] / "docs/screenshots")
PASSWORD = "pw"  # what tests.factories.UserFactory gives every user


def _shoot(page: Page, name: str, width: str, *, full_page: bool = False) -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(FOLDER / f"{name}-{VIEWPORTS[width]['width']}.png"), full_page=full_page
    )


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_screenshots(width, categories, expert, reviewer, new_page):
    site = public_site_make(expert=expert)
    page = new_page(viewport=VIEWPORTS[width])

    page.goto("/")
    _shoot(page, "home", width)

    page.goto("/codes/D0370/")
    _shoot(page, "code-page", width, full_page=True)

    page.goto("/codes/D0370/suggest/")
    page.locator("#suggest-submit").click()
    expect(page.locator("#error-summary")).to_be_focused()
    _shoot(page, "suggest-errors", width)

    page.goto("/contact/")
    page.get_by_label("Your email").fill("ann at example")
    page.locator("#ask-submit").click()
    expect(page.locator("#error-summary")).to_be_focused()
    _shoot(page, "contact-errors", width)

    page.goto(f"/track/questions/{site.question_token}/")
    _shoot(page, "tracking-question", width, full_page=True)

    # The reviewer's page, signed in as a reviewer.
    staff = new_page(viewport=VIEWPORTS[width])
    staff.goto("/admin/login/?next=/admin/contributions/submission/")
    staff.locator("#id_username").fill(reviewer.username)
    staff.locator("#id_password").fill(PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    expect(staff).to_have_url(re.compile(r"/admin/contributions/submission/$"))
    submission = Submission.objects.get()
    staff.goto(f"/admin/contributions/submission/{submission.pk}/change/")
    expect(staff.locator("#submission-status")).to_have_text("Submitted")
    _shoot(staff, "review", width)
