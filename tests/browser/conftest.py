"""Browser tests: Playwright drives Debian's Chromium; axe-core checks every page."""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; the Django calls the tests make
# here (reading the outbox, creating accounts) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("SEJOUR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = ["fr", "en", "ar"]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """Zero axe-core violations of WCAG 2.1 A and AA on the page as shown.

    A click that submits a form navigates a moment later: when the page changes under
    axe-core, the run is made again on the page that loaded.
    """
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        except Error as error:
            navigated = "documentElement" in str(error) or "context was destroyed" in str(error)
            if not navigated or attempt == 2:
                raise
            continue
        break
    assert results.violations_count == 0, results.generate_report()
