"""The page shell in a real browser: at 390, 768 and 1280 px, light and dark, signed out and in,
every page the navigation leads to fits the width, keeps a one-row header on wide screens, opens
its menu from the keyboard on narrow ones, loads without a failing request, and passes axe-core
with no serious or critical violation. Screenshots of each page and width go to artifacts/e2e/."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from playwright.sync_api import Page, Response, expect

from nexus.accounts import services as accounts
from nexus.challenges import services as challenges
from nexus.collab.services.catalog import api_create, spec_version_create
from nexus.core import clock
from nexus.journal import services as journal
from tests.collab.conftest import PETS_V1, PETS_V2
from tests.e2e.conftest import REPO_ROOT
from tests.e2e.login import log_in
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.knowledge.factories import ensure_taxonomy, make_article

pytestmark = pytest.mark.e2e

AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (390, 768, 1280)
THEMES = ("light", "dark")
# Below this width the links sit behind the menu button; from it up the header is one row.
WIDE = 1024
MAX_HEADER_HEIGHT = 64
LONG_NAME = "Ada Augusta King, Countess of Lovelace, of the Analytical Engine"
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter((violation) => ["serious", "critical"].includes(violation.impact))
    .map((violation) => `${violation.id} (${violation.impact}): ` +
      violation.nodes.slice(0, 3).map((node) => node.target.join(" ")).join(" | "));
}"""
TIMES = "\N{MULTIPLICATION SIGN}"  # as in the issue: "13 pages x 2 themes", with the real sign
MAIN_NAV_LINKS = "nav[aria-label=Main] a[href]"
# One click beyond the signed-in navigation: the journal's charts and the integration issues.
MEMBER_DETAILS = ["/journal/dashboard/", "/issues/"]


@dataclass
class Findings:
    """What went wrong across the pages of one test: each entry names the page, width and theme."""

    problems: list[str] = field(default_factory=list)
    axe_pages: set[str] = field(default_factory=set)
    axe_violations: list[str] = field(default_factory=list)

    def check(self, ok: bool, where: str, what: str) -> None:
        if not ok:
            self.problems.append(f"{where}: {what}")


@pytest.fixture
def site(base_url):
    """Content for every page the navigation leads to, and a changelog with an 'Open issue' link."""
    ensure_taxonomy()
    # The live server's tables are flushed between tests, the seeded default program included.
    importlib.import_module("nexus.journal.migrations.0002_default_program").add_program(apps, None)
    author = UserFactory(email="ada@example.com", display_name=LONG_NAME)
    article = make_article(author, title="Celery retries", body="## Retries\n\nBack off.")
    challenge = challenges.challenge_create(
        author=author, title="Checker fails although it runs locally", body="`exit 1`"
    )
    api = api_create(actor=author, name="Pets")
    spec_version_create(api=api, actor=author, raw=PETS_V1, source="paste")
    spec_version_create(api=api, actor=author, raw=PETS_V2, source="paste")
    accounts.api_token_create(user=author, name="a laptop with a rather long token name")
    journal.entry_create(
        author=author,
        date=clock.today() - timedelta(days=1),
        body="Worked on celery",
        minutes_spent=60,
        topics=["celery"],
    )
    # Pages one click beyond the navigation, where the tables and long content are.
    details = [
        f"/articles/{article.slug}/",
        f"/challenges/{challenge.pk}/",
        "/apis/pets/",
        "/apis/pets/versions/2/",
        "/search/?q=celery",
    ]
    return {"author": author, "details": details}


HTMX_SETTLED = "() => !document.querySelector('[hx-trigger=\"load\"], .htmx-request')"


def nav_paths(page: Page) -> list[str]:
    """Every same-site path the main navigation links to, the user menu's included."""
    hrefs = page.locator(MAIN_NAV_LINKS).evaluate_all("links => links.map((a) => a.href)")
    return sorted({urlsplit(href).path for href in hrefs})


def watch_requests(page: Page, failures: list[str]) -> None:
    def on_response(response: Response) -> None:
        if response.status >= 400:
            failures.append(f"{response.status} {response.url}")

    page.on("response", on_response)
    page.on("requestfailed", lambda request: failures.append(f"failed {request.url}"))


def check_page(page: Page, findings: Findings, where: str, width: int, theme: str) -> None:
    expect(page.locator("main")).to_be_visible()
    # What htmx loads after the page (the bell) is in place before anything is measured; waiting
    # for the network to go quiet instead cost half a second a page.
    page.wait_for_function(HTMX_SETTLED)
    assert page.evaluate("document.documentElement.dataset.theme") == theme, where
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    findings.check(widths[0] <= widths[1], where, f"scrolls sideways ({widths[0]} > {widths[1]})")
    header_height = page.locator("header.site-header").evaluate(
        "header => header.getBoundingClientRect().height"
    )
    menu_button = page.get_by_test_id("menu-toggle")
    if width >= WIDE:
        findings.check(
            header_height <= MAX_HEADER_HEIGHT, where, f"header is {header_height:.0f}px tall"
        )
        findings.check(not menu_button.is_visible(), where, "menu button shown on a wide screen")
    else:
        findings.check(menu_button.is_visible(), where, "no menu button on a narrow screen")
        findings.check(
            not page.locator("#site-menu").is_visible(), where, "menu open before it was asked"
        )


def run_axe(page: Page, findings: Findings, path: str, where: str) -> None:
    findings.axe_pages.add(path)
    findings.axe_violations += [f"{where}: {violation}" for violation in page.evaluate(RUN_AXE)]


def check_menu_keyboard(page: Page, where: str) -> None:
    """The menu button opens and closes with Enter, Space and Escape, focus staying with it."""
    button = page.get_by_test_id("menu-toggle")
    menu = page.locator("#site-menu")
    button.focus()
    page.keyboard.press("Enter")
    expect(button, where).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Articles"), where).to_be_visible()
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link", name="Articles"), where).to_be_focused()
    page.keyboard.press("Escape")
    expect(button, where).to_have_attribute("aria-expanded", "false")
    expect(button, where).to_be_focused()
    expect(menu, where).to_be_hidden()
    page.keyboard.press("Space")
    expect(menu, where).to_be_visible()
    page.keyboard.press("Enter")
    expect(menu, where).to_be_hidden()


def tour(new_page, screenshot, *, audience: str, paths: list[str], storage_state=None) -> Findings:
    """Visit `paths` at every width and theme; run axe at the widest width."""
    assert AXE_SCRIPT.is_file(), f"{AXE_SCRIPT} is missing: run `make assets` (npm ci)"
    findings = Findings()
    failed_requests: list[str] = []
    for theme in THEMES:
        for width in WIDTHS:
            page = new_page(
                viewport={"width": width, "height": 900},
                color_scheme=theme,
                storage_state=storage_state,
            )
            page.context.add_init_script(path=AXE_SCRIPT)
            watch_requests(page, failed_requests)
            for number, path in enumerate(paths):
                where = f"{path} at {width}px, {theme}, {audience}"
                page.goto(path)
                check_page(page, findings, where, width, theme)
                if number == 0 and width < WIDE:
                    check_menu_keyboard(page, where)
                if width == max(WIDTHS):
                    run_axe(page, findings, path, where)
                screenshot(f"{audience}-{width}-{theme}-{path.strip('/') or 'home'}")
            page.context.close()
    findings.problems += [f"request failed: {failure}" for failure in failed_requests]
    print(
        f"\naxe: {len(findings.axe_pages)} pages {TIMES} {len(THEMES)} themes, "
        f"serious/critical violations: {len(findings.axe_violations)} ({audience})"
    )
    print(
        f"shell ({audience}): {len(paths)} pages {TIMES} {len(WIDTHS)} widths {TIMES} {len(THEMES)} themes"
    )
    return findings


def assert_clean(findings: Findings) -> None:
    assert findings.problems == [], "\n".join(findings.problems)
    assert findings.axe_violations == [], "\n".join(findings.axe_violations)


def test_every_page_from_the_navigation_fits_for_a_visitor(new_page, screenshot, site):
    page = new_page()
    page.goto("/")
    paths = nav_paths(page)
    assert {"/articles/", "/accounts/login/", "/accounts/signup/"} <= set(paths)
    page.context.close()
    assert_clean(tour(new_page, screenshot, audience="visitor", paths=paths + site["details"]))


def test_every_page_from_the_navigation_fits_when_signed_in(new_page, screenshot, site):
    page = new_page()
    log_in(page, email="ada@example.com", password=DEFAULT_PASSWORD)
    paths = nav_paths(page)
    # "/" is the signed-in home (the brand link), toured like every other member page.
    assert {"/", "/journal/", "/imports/", "/bookmarks/", "/notifications/"} <= set(paths)
    state = page.context.storage_state()
    page.context.close()
    assert_clean(
        tour(
            new_page,
            screenshot,
            audience="member",
            paths=paths + site["details"] + MEMBER_DETAILS,
            storage_state=state,
        )
    )


def test_a_long_name_truncates_in_a_one_row_header_and_the_user_menu_opens(page: Page, site):
    log_in(page, email="ada@example.com", password=DEFAULT_PASSWORD)
    name = page.get_by_test_id("nav-profile")
    expect(name).to_have_text(LONG_NAME)
    assert name.evaluate("el => el.scrollWidth > el.clientWidth"), "the name is not truncated"
    assert page.locator("header.site-header").bounding_box()["height"] <= MAX_HEADER_HEIGHT

    logout = page.get_by_test_id("logout")
    expect(logout).to_be_hidden()
    page.get_by_test_id("user-menu").focus()
    page.keyboard.press("Enter")
    expect(logout).to_be_visible()
    page.keyboard.press("Escape")
    expect(logout).to_be_hidden()
    expect(page.get_by_test_id("user-menu")).to_be_focused()


def test_the_theme_toggle_is_remembered_and_applied_before_the_first_paint(
    page: Page, site, browser_errors
):
    page.goto("/")
    toggle = page.get_by_test_id("theme-toggle")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"

    # With shell.js held back, only theme.js in <head> can have applied the remembered theme.
    page.route("**/js/shell*.js", lambda route: route.abort())
    page.reload(wait_until="domcontentloaded")
    browser_errors.clear()  # the refused shell.js, on purpose
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(19, 23, 31)", background


def test_without_javascript_the_menu_stays_open_and_the_buttons_hidden(new_page, site):
    page = new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Articles")).to_be_visible()
    expect(page.get_by_test_id("menu-toggle")).to_be_hidden()
    expect(page.get_by_test_id("theme-toggle")).to_be_hidden()
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]
