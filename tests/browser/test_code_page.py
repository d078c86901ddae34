"""The code page's history in a browser: its links and its date-of-service form lead
where they say."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from codes.services import code_update

pytestmark = pytest.mark.browser


def test_history_links_and_the_date_form_lead_to_the_versions(d0370, new_page):
    code_update(code="D0370", changes={"billing_tips": "Bill once per visit, per side."})
    page = new_page()
    page.goto("/codes/D0370/")
    history = page.locator("section#history")

    history.get_by_role("link", name="Compare with the version before").first.click()
    expect(page).to_have_url(re.compile(r"/codes/D0370/compare/\?a=r1&b=r2$"))
    expect(page.locator("body")).to_contain_text("Bill once per visit, per side.")

    page.go_back()
    history.get_by_role("link", name="Compare any two versions").click()
    expect(page).to_have_url(re.compile(r"/codes/D0370/compare/$"))

    page.go_back()
    page.get_by_label("See D0370 as in force on a date of service").fill("2026-06-01")
    history.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/codes/D0370/\?on=2026-06-01$"))
    notice = page.locator("#dated-notice")
    expect(notice).to_contain_text("As in force on 1 June 2026")
    notice.get_by_role("link", name="See D0370 as of today").click()
    expect(page).to_have_url(re.compile(r"/codes/D0370/$"))
    expect(page.locator("#dated-notice")).to_have_count(0)
