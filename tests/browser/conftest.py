"""Browser tests: Playwright drives Debian's Chromium; every page shown is checked.

The shared check (`assert_accessible`) runs axe-core, then fails on what a person would see
broken: a console error (a stylesheet refused for its integrity, anything the
Content-Security-Policy blocks, a script error), a static file not served, a stylesheet not
applied, the design system's header without its layout, a page wider than a 375 px phone.
It writes a screenshot of the page at desktop and phone widths under var/screenshots/, for
review by eye (SEJOUR_SCREENSHOTS=0 skips them). The live server serves the static files as
production does: collected with hashed names, by WhiteNoise.
"""

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings
from playwright.sync_api import Browser, BrowserContext, Error, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

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
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
TAKE_SCREENSHOTS = os.environ.get("SEJOUR_SCREENSHOTS", "1") != "0"
# Documents may fail on purpose (a page refused, a download); the files a page needs may not.
_PAGE_RESOURCES = {"stylesheet", "script", "image", "font", "media", "manifest", "texttrack"}

# What went wrong in the pages of this test, as (page, description), until a check reads it.
_problems: list[tuple[Page | None, str]] = []
_shots = {"test": "", "count": 0}


def _watch(context: BrowserContext) -> None:
    """Record the console errors, script errors and failed files of every page of `context`."""

    def console(message: Any) -> None:
        # A document refused on purpose (403, 404) is logged too; the responses say which
        # files failed.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            _problems.append((message.page, f"console error: {message.text}"))

    def response(response: Any) -> None:
        request = response.request
        if response.status >= 400 and request.resource_type in _PAGE_RESOURCES:
            _problems.append((request.frame.page, f"{response.status} for {request.url}"))

    def failed(request: Any) -> None:
        # A file abandoned because the page moved on is not a failure of the file.
        if request.resource_type in _PAGE_RESOURCES and request.failure != "net::ERR_ABORTED":
            _problems.append((request.frame.page, f"{request.failure} for {request.url}"))

    context.on("console", console)
    context.on("response", response)
    context.on("requestfailed", failed)
    context.on(
        "weberror", lambda error: _problems.append((error.page, f"script error: {error.error}"))
    )


class _WatchedBrowser:
    """The browser, whose every context (the tests' own included) is watched."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser

    def new_context(self, **kwargs: Any) -> BrowserContext:
        context = self._browser.new_context(**kwargs)
        _watch(context)
        return context

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield _WatchedBrowser(browser)
        browser.close()


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> dict[str, Any]:
    """The settings of static files collected as in production (hashed names, CSS rewritten)."""
    static = {
        "STATIC_ROOT": str(tmp_path_factory.mktemp("static")),
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": settings.SEJOUR_COLLECTED_STATICFILES_BACKEND},
        },
        "WHITENOISE_USE_FINDERS": False,
    }
    with override_settings(**static):
        call_command("collectstatic", interactive=False, verbosity=0)
    return static


@pytest.fixture(scope="session")
def live_server(request, collected_static):
    """pytest-django's live server, its static files served by WhiteNoise from the collection.

    pytest-django puts Django's finder-based static handler in front, which knows neither the
    hashed names nor the rewritten files; WhiteNoise (in the middleware) serves them instead.
    """
    address = request.config.getvalue("liveserver") or os.getenv(
        "DJANGO_LIVE_TEST_SERVER_ADDRESS", "localhost"
    )
    with override_settings(**collected_static):
        server = LiveServer(address, start=False)
        server.thread.static_handler = lambda handler: handler
        server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _served_as_in_production(collected_static):
    """Pages name the collected files (hashed names) while a test runs."""
    with override_settings(**collected_static):
        yield


@pytest.fixture(autouse=True)
def _no_problem_left(request):
    """A failure in a page no check looked at still fails its test."""
    _problems.clear()
    _shots.update(test=re.sub(r"[^\w.-]+", "-", request.node.name).strip("-"), count=0)
    yield
    left = [text for _, text in _problems]
    _problems.clear()
    assert not left, "pages of this test had problems:\n" + "\n".join(left)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


_axe = Axe()

_STYLE_PROBLEMS = """() => {
  const problems = [];
  for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
    if (!link.sheet) problems.push('stylesheet not applied: ' + link.href);
  }
  const row = document.querySelector('.fr-header__body-row');
  if (document.querySelector('.fr-header') && !(row && getComputedStyle(row).display === 'flex')) {
    problems.push("the design system's header has no layout (its styles are missing)");
  }
  const top = document.querySelector('.fr-header__brand-top');
  const logo = document.querySelector('.fr-header__logo');
  if (top && logo && logo.getBoundingClientRect().right > top.getBoundingClientRect().right + 1) {
    problems.push('the header logo is clipped by its box');
  }
  for (const button of document.querySelectorAll('main .fr-btn')) {
    // The design system shows some buttons as an icon alone, their words for screen readers.
    const iconOnly = button.closest('.fr-search-bar') !== null ||
      (/(^| )fr-icon-/.test(button.className) && !/fr-btn--icon-/.test(button.className));
    if (!iconOnly && button.offsetWidth > 0 && button.scrollWidth > button.clientWidth + 1) {
      problems.push('the words of a button are cut: ' + button.textContent.trim());
    }
  }
  for (const item of document.querySelectorAll('.fr-header a, .fr-header button')) {
    const box = item.getBoundingClientRect();
    if (box.width > 0 && (box.right > window.innerWidth + 1 || box.left < -1)) {
      problems.push('a header link is cut by the edge of the screen: ' + item.textContent.trim());
    }
  }
  return problems;
}"""

_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const extra = document.documentElement.scrollWidth - width;
  if (extra <= 0) return null;
  const wide = [...document.querySelectorAll('body *')].filter((element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 1 || box.left < -1);
  }).slice(-5).map((element) => element.tagName.toLowerCase() +
    (element.id ? '#' + element.id : '') +
    (element.className && typeof element.className === 'string'
      ? '.' + element.className.trim().split(/\\s+/).join('.') : ''));
  return extra + ' px too wide, from: ' + wide.join(', ');
}"""


def _run_axe(page: Page) -> Any:
    """axe-core's results; a click that submits a form navigates a moment later: when the
    page changes under axe-core, the run is made again on the page that loaded."""
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            return _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        except Error as error:
            navigated = "documentElement" in str(error) or "context was destroyed" in str(error)
            if not navigated or attempt == 2:
                raise
    raise AssertionError("unreachable")


def _check_widths(page: Page) -> list[str]:
    """Screenshots at desktop and phone widths; the page must fit a 375 px phone."""
    problems = []
    shown = page.viewport_size
    _shots["count"] += 1
    language = page.evaluate("document.documentElement.lang") or "xx"
    where = re.sub(r"[^\w-]+", "-", urlsplit(page.url).path).strip("-")[:60]
    stem = f"{_shots['count']:02d}-{language}-{where}"
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        if size is PHONE and (overflow := page.evaluate(_OVERFLOW)):
            problems.append(f"at {PHONE['width']} px the page is {overflow}")
        if TAKE_SCREENSHOTS:
            folder = SCREENSHOTS / _shots["test"]
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=folder / f"{stem}-{name}.png", full_page=True)
    if shown:
        page.set_viewport_size(shown)
    return problems


def assert_accessible(page: Page) -> None:
    """The page as shown has zero axe-core violations of WCAG 2.1 A and AA, and nothing broken:
    no console error, no file failed, its styles applied, no overflow on a phone."""
    results = _run_axe(page)
    assert results.violations_count == 0, results.generate_report()
    problems = [text for seen, text in _problems if seen is page]
    _problems[:] = [(seen, text) for seen, text in _problems if seen is not page]
    problems += page.evaluate(_STYLE_PROBLEMS)
    problems += _check_widths(page)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)
