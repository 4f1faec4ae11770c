"""Browser-test harness: Debian's Chromium driven by Playwright's sync API against `live_server`.

- One Chromium for the session (for each run of consecutive e2e tests, to be exact: see
  `SharedChromium`); a fresh browser context and page per test, its base URL the live server.
- Chromium is /usr/bin/chromium or $NEXUS_CHROMIUM. When it is missing the e2e tests are skipped,
  unless NEXUS_E2E_REQUIRED=1 (CI), which turns the skip into a failure.
- `screenshot("step")` saves artifacts/e2e/<test>__<nn>-<step>.png; a failing test also saves
  artifacts/e2e/<test>__failed.png.
- A JS console error or an uncaught page error fails the test (that catches broken static assets).
- Tests and fixtures here may use the ORM directly: see `pytest_runtest_protocol`.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:  # imported lazily below, so that a missing Playwright means a skip, not a crash
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, Playwright
    from pytest_django.live_server_helper import LiveServer

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parents[1]
ARTIFACTS_DIR = REPO_ROOT / "artifacts" / "e2e"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling home, which floods a closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
DEFAULT_TIMEOUT_MS = 10_000
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
_ERRORS = pytest.StashKey["BrowserErrors"]()
_UNAVAILABLE = pytest.StashKey[str]()


def e2e_required() -> bool:
    return os.environ.get("NEXUS_E2E_REQUIRED", "").strip().lower() in {"1", "true", "yes"}


def chromium_path() -> str:
    return os.environ.get("NEXUS_CHROMIUM") or DEFAULT_CHROMIUM


def e2e_unavailable_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    executable = chromium_path()
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        return (
            f"no Chromium at {executable} (install Debian's `chromium` package "
            "or set NEXUS_CHROMIUM to a Chromium binary)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the `playwright` Python package is not installed (run `make install`)"
    return None


def _is_e2e(item: pytest.Item) -> bool:
    return E2E_DIR in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark everything under tests/e2e as e2e; without a browser skip it, or fail it in CI."""
    e2e_items = [item for item in items if _is_e2e(item)]
    reason = e2e_unavailable_reason() if e2e_items else None
    for item in e2e_items:
        if item.get_closest_marker("e2e") is None:
            item.add_marker(pytest.mark.e2e)
        if reason is None:
            continue
        if e2e_required():
            item.stash[_UNAVAILABLE] = reason
        else:
            item.add_marker(pytest.mark.skip(reason=f"e2e tests skipped: {reason}"))


def pytest_runtest_setup(item: pytest.Item) -> None:
    # CI sets NEXUS_E2E_REQUIRED=1: a missing browser must fail the run, not pass as a green skip.
    if (reason := item.stash.get(_UNAVAILABLE, None)) is not None:
        pytest.fail(
            f"NEXUS_E2E_REQUIRED=1 but the browser tests cannot run: {reason}", pytrace=False
        )


class SharedChromium:
    """Playwright and one Chromium, started by the first e2e test and shared by the ones after it.

    While Playwright's sync API is started, an asyncio loop counts as running in the main thread,
    so it is stopped as soon as the next test is not an e2e test (or the session ends): the rest of
    the suite then never runs next to that loop, nor with DJANGO_ALLOW_ASYNC_UNSAFE set.
    """

    def __init__(self) -> None:
        self.playwright: Playwright | None = None
        self.browser: Browser | None = None

    def start(self) -> Browser:
        if self.browser is None or not self.browser.is_connected():
            from playwright.sync_api import sync_playwright

            self.stop()
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(
                executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
            )
        return self.browser

    def stop(self) -> None:
        browser, playwright = self.browser, self.playwright
        self.browser = self.playwright = None
        if browser is not None:
            with contextlib.suppress(Exception):  # a crashed browser is already closed
                browser.close()
        if playwright is not None:
            playwright.stop()


CHROMIUM = SharedChromium()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """Run an e2e test with DJANGO_ALLOW_ASYNC_UNSAFE set; stop Chromium after the last in a row.

    Playwright's sync API keeps an asyncio loop running in the main thread, and Django's ORM then
    refuses sync calls from tests and fixtures (SynchronousOnlyOperation). The variable is set
    only around e2e tests, so other tests (and subprocesses they start, e.g. `check --deploy`,
    which warns about it) never see it.
    """
    if not _is_e2e(item):
        return (yield)
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        return (yield)
    finally:
        try:
            if nextitem is None or not _is_e2e(nextitem):
                CHROMIUM.stop()
        finally:
            if previous is None:
                os.environ.pop(ASYNC_UNSAFE, None)
            else:
                os.environ[ASYNC_UNSAFE] = previous


def pytest_sessionfinish(session: pytest.Session) -> None:
    CHROMIUM.stop()  # e.g. after -x stopped the run in the middle of the e2e tests


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep each phase's report on the item: fixtures check at teardown whether the test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """After a test body passes, fail it if the browser logged console errors or page errors."""
    try:
        result = yield
    except BaseException:
        errors = item.stash.get(_ERRORS, None)
        if errors and errors.messages:
            item.add_report_section("call", "browser errors", "\n".join(errors.messages))
        raise
    errors = item.stash.get(_ERRORS, None)
    if errors and errors.messages:
        pytest.fail(
            "The page logged JavaScript errors:\n  " + "\n  ".join(errors.messages), pytrace=False
        )
    return result


@dataclass
class BrowserErrors:
    """Console errors and uncaught exceptions from every page of the test's contexts."""

    messages: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", lambda message: self._on_console(page, message))
        page.on("pageerror", lambda error: self._on_page_error(page, error))

    def _on_console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        location = message.location or {}
        where = location.get("url") or page.url
        if urlsplit(where).path == "/favicon.ico":
            # Chromium asks for /favicon.ico on its own, whatever the page links; the pages link
            # no icon, so that 404 is not a broken asset of ours. A <link rel=icon> that 404s is.
            return
        self.messages.append(f"console.error on {where}: {message.text}")

    def _on_page_error(self, page: Page, error: Error) -> None:
        self.messages.append(f"uncaught error on {page.url}: {error.stack or error.message}")

    def clear(self) -> None:
        """For a test that provokes an error on purpose, after it has checked the error."""
        self.messages.clear()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "test"


@pytest.fixture
def browser() -> Browser:
    """The shared headless Chromium (see SharedChromium)."""
    return CHROMIUM.start()


@pytest.fixture
def playwright(browser: Browser) -> Playwright:
    """Playwright itself, e.g. for playwright.request.new_context() API calls without cookies."""
    assert CHROMIUM.playwright is not None
    return CHROMIUM.playwright


@pytest.fixture
def base_url(live_server: LiveServer, transactional_db: None) -> str:
    """The live server's URL; transactional_db lets it and the test see the same rows."""
    return live_server.url


@pytest.fixture
def browser_errors(request: pytest.FixtureRequest) -> BrowserErrors:
    errors = BrowserErrors()
    request.node.stash[_ERRORS] = errors
    return errors


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Artifacts:
    """This test's screenshot names; removes the PNGs an earlier run of the test left behind."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    slug = _slug(request.node.name)
    for stale in ARTIFACTS_DIR.glob(f"{slug}__*.png"):
        stale.unlink()
    return Artifacts(slug)


@dataclass
class Artifacts:
    slug: str
    taken: int = 0

    def next_path(self, step: str) -> Path:
        self.taken += 1
        return ARTIFACTS_DIR / f"{self.slug}__{self.taken:02d}-{_slug(step)}.png"

    def failure_path(self, suffix: str = "") -> Path:
        return ARTIFACTS_DIR / f"{self.slug}__failed{suffix}.png"


class PageFactory:
    """`new_page(**context_options)`: a page in a new, isolated browser context."""

    def __init__(self, browser: Browser, base_url: str, errors: BrowserErrors) -> None:
        self.browser = browser
        self.base_url = base_url
        self.errors = errors
        self.contexts: list[BrowserContext] = []
        self.latest: Page | None = None

    def __call__(self, **context_options: Any) -> Page:
        options = {"base_url": self.base_url, "viewport": DESKTOP_VIEWPORT, "locale": "en-US"}
        options.update(context_options)
        context = self.browser.new_context(**options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.on("page", self.errors.watch)
        self.contexts.append(context)
        page = context.new_page()
        self.latest = page
        return page

    def open_pages(self) -> list[Page]:
        return [page for context in self.contexts for page in context.pages]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest,
    browser: Browser,
    base_url: str,
    browser_errors: BrowserErrors,
    artifacts: Artifacts,
) -> Iterator[PageFactory]:
    """Pages in new contexts, e.g. new_page(viewport=..., color_scheme="dark", is_mobile=True)."""
    factory = PageFactory(browser, base_url, browser_errors)
    yield factory
    reports = request.node.stash.get(_REPORTS, {})
    if any(report.failed for report in reports.values()):
        pages = factory.open_pages()
        for number, page in enumerate(pages, start=1):
            path = artifacts.failure_path("" if len(pages) == 1 else f"-{number}")
            try:
                page.screenshot(path=path, full_page=True)
            except Exception as exc:  # a crashed page: the test's own error matters more
                request.node.add_report_section("teardown", "screenshot", f"not saved: {exc}")
    factory.close()


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    """A fresh 1280x800 page in its own context; page.goto("/...") goes to the live server."""
    return new_page()


@pytest.fixture
def screenshot(new_page: PageFactory, artifacts: Artifacts) -> Callable[..., Path]:
    """`screenshot("step")` saves the latest page (or the page given) as a full-page PNG."""

    def take(step: str, target: Page | None = None) -> Path:
        target = target if target is not None else new_page.latest
        if target is None:
            raise RuntimeError("screenshot() before any page was opened")
        path = artifacts.next_path(step)
        target.screenshot(path=path, full_page=True)
        return path

    return take
