"""Fixtures for the browser tests: Debian's Chromium driven by Playwright's sync API.

Playwright never downloads a browser here: it launches the system's /usr/bin/chromium
(CI installs the Debian packages `chromium` and `chromium-driver` when they are missing).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from contributions.roles import roles_setup
from tests.factories import code_make

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Fail within seconds, not Playwright's default 30 s per step.
STEP_TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing: install the Debian package `chromium`")
    # Playwright's sync API keeps an asyncio loop registered on this thread, so Django
    # refuses ORM calls from it (fixtures, assertions, the database flush) with
    # SynchronousOnlyOperation. Allowed only while Playwright runs, and only here:
    # https://docs.djangoproject.com/en/5.2/topics/async/#envvar-DJANGO_ALLOW_ASYNC_UNSAFE
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def new_page(browser: Browser, live_server) -> Iterator[Callable[[], Page]]:
    """Open a page in a fresh context (its own cookies: one per person in the story).

    Every JavaScript error on any of these pages fails the test.
    """
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make(**options) -> Page:
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def screenshot(tmp_path) -> Callable[[Page, str], Path]:
    """Save a full-page screenshot for a person to look at; BROWSER_SCREENSHOT_DIR picks the
    folder (default: the test's tmp_path)."""
    folder = Path(os.environ.get("BROWSER_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def roles(transactional_db):
    # live_server's database is flushed after every test, groups included: make them again.
    roles_setup()


@pytest.fixture
def d0370(imaging):
    return code_make(
        "D0370",
        category=imaging,
        nomenclature="Maxillofacial ultrasound",
        body="Ultrasound of the maxillofacial or sublingual soft tissue.",
        billing_tips="Bill once per visit.",
    )
