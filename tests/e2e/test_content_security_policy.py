"""The Content-Security-Policy in a real browser: every main page loads and still works with zero
violations (a `securitypolicyviolation` listener on each page, on top of the harness's console
check), and a violation Chromium reports is collected by /csp-reports/."""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from playwright.sync_api import Page, Route, expect

from nexus.accounts.models import Role
from nexus.challenges import services as challenges
from nexus.collab.services.catalog import api_create, spec_version_create
from nexus.core import clock
from nexus.csp.models import Violation
from nexus.journal import services as journal
from tests.collab.conftest import PETS_V1
from tests.e2e.login import log_in
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.knowledge.factories import ensure_taxonomy, make_article

pytestmark = pytest.mark.e2e

# Runs in every document before its own scripts, so no violation goes unseen.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI} (${event.sourceFile}:${event.lineNumber})`
  );
});
"""
ARTICLE_BODY = """## Retrying tasks

| Setting | Default | Notes |
|:--------|:-------:|------:|
| max_retries | 3 | per task |

```python
@shared_task(autoretry_for=(IOError,))
def fetch(url):
    return get(url)
```
"""


def watched(page: Page) -> Page:
    page.context.add_init_script(WATCH_VIOLATIONS)
    return page


def violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def visit(page: Page, path: str, ready: str = "main") -> None:
    """Open a page, wait until it has drawn `ready` and stopped loading, and check the listener."""
    page.goto(path)
    expect(page.locator(ready).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert violations(page) == [], f"{path} broke the policy"


def visit_dashboard(page: Page, path: str) -> None:
    visit(page, path, "canvas[data-chart-source]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('canvas[data-chart-source]')]"
        ".every(canvas => window.Chart && window.Chart.getChart(canvas))"
    )
    assert violations(page) == []


@pytest.fixture
def site(base_url):
    """An author with an article, a challenge, an API and a month of journal entries."""
    ensure_taxonomy()
    # The live server's tables are flushed between tests, the seeded default program included.
    importlib.import_module("nexus.journal.migrations.0002_default_program").add_program(apps, None)
    author = UserFactory(email="ada@example.com", display_name="Ada Author", role=Role.MENTOR)
    article = make_article(
        author, title="Celery retries", body=ARTICLE_BODY, technologies=["celery"]
    )
    challenge = challenges.challenge_create(
        author=author, title="Checker fails although it runs locally", body="`exit 1`"
    )
    api = api_create(actor=author, name="Pets")
    spec_version_create(api=api, actor=author, raw=PETS_V1, source="paste")
    today = clock.today()
    for days_ago, topic in ((0, "django"), (1, "postgresql"), (3, "celery")):
        journal.entry_create(
            author=author,
            date=today - timedelta(days=days_ago),
            body=f"Worked on {topic}",
            minutes_spent=60,
            topics=[topic],
        )
    return {"author": author, "article": article, "challenge": challenge, "api": api}


def test_a_visitor_sees_every_main_page_without_a_violation(page: Page, site, screenshot):
    watched(page)
    article, challenge = site["article"], site["challenge"]
    for path in (
        "/",
        "/articles/",
        "/technologies/",
        "/technologies/celery/",
        "/paths/",
        "/challenges/",
        f"/challenges/{challenge.pk}/",
        "/challenges/leaderboard/",
        "/apis/",
        "/apis/pets/",
        "/apis/pets/versions/1/",
        "/search/?q=celery",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ):
        visit(page, path)

    # Rendered Markdown: highlighted code, and the table's alignment (allowed by hash).
    visit(page, f"/articles/{article.slug}/", "[data-testid=article-body] table")
    cells = page.locator("[data-testid=article-body] tbody td")
    aligned = [cells.nth(i).evaluate("td => getComputedStyle(td).textAlign") for i in range(3)]
    assert aligned == ["left", "center", "right"]
    expect(page.locator("[data-testid=article-body] .highlight")).to_be_visible()
    screenshot("article-under-csp")

    # htmx still swaps partials in: the navigation's autocomplete.
    page.get_by_test_id("nav-search").type("Celery ret")
    expect(page.locator("#nav-suggestions")).to_contain_text("Celery retries")
    assert violations(page) == []

    # The third-party viewers start from static scripts.
    visit(page, "/apis/pets/versions/1/swagger/", "#swagger-ui .info")
    visit(page, "/api/docs/", "#swagger-ui .info")
    expect(page.locator("#swagger-ui")).to_contain_text("Nexus API")
    visit(page, "/graphql/", ".graphiql-container")
    screenshot("graphiql-under-csp")
    visit(page, "/admin/login/", "#login-form")


def test_a_signed_in_learner_writes_previews_archives_and_reads_dashboards(
    page: Page, site, screenshot
):
    watched(page)
    log_in(page, email="ada@example.com", password=DEFAULT_PASSWORD)
    assert violations(page) == []
    expect(page.get_by_test_id("bell-count")).to_have_text("0")  # swapped in by htmx on load

    # The editor's live preview (as you type), with a table whose alignment survives the policy.
    visit(page, "/articles/new/", "[data-testid=article-form]")
    page.get_by_label("Body").fill("| a | b |\n|:-:|--:|\n| 1 | 2 |")
    cell = page.get_by_test_id("preview").locator("td").first
    expect(cell).to_have_text("1")
    assert cell.evaluate("td => getComputedStyle(td).textAlign") == "center"
    assert violations(page) == []

    # The archive button asks first, from static JS now that inline onsubmit is refused.
    slug = site["article"].slug
    visit(page, f"/articles/{slug}/")
    archive = page.get_by_role("button", name="Archive")
    page.once("dialog", lambda dialog: dialog.dismiss())
    archive.click()
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(re.compile(rf"/articles/{slug}/$"))
    site["article"].refresh_from_db()
    assert site["article"].status == "published"
    page.once("dialog", lambda dialog: dialog.accept())
    archive.click()
    expect(page.get_by_role("button", name="Archive")).to_have_count(0)
    site["article"].refresh_from_db()
    assert site["article"].status == "archived"

    # The journal's Chart.js dashboards draw from JSON data blocks.
    visit(page, "/journal/", "[data-testid=entry]")
    visit_dashboard(page, "/journal/dashboard/")
    screenshot("dashboard-under-csp")

    for path in (
        f"/articles/{slug}/history/",
        "/bookmarks/",
        "/challenges/new/",
        "/journal/milestones/",
        "/journal/review/",
        "/notifications/",
        "/notifications/preferences/",
        "/notifications/webhooks/",
        "/imports/",
        "/accounts/profile/",
        "/accounts/teams/",
        "/issues/",
    ):
        visit(page, path)


def test_the_admin_works_under_the_policy(page: Page, site):
    watched(page)
    UserFactory(email="root@example.com", role=Role.ADMIN, is_staff=True, is_superuser=True)
    Violation.objects.create(
        page_route="/",
        directive="img-src",
        blocked_uri="https://tracker.example",
        disposition="enforce",
        last_seen_at=clock.now(),
        page_path="/",
    )
    visit(page, "/admin/login/", "#login-form")
    page.get_by_label("Email").fill("root@example.com")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()
    assert violations(page) == []
    visit_dashboard(page, "/journal/analytics/")  # programme analytics: staff only
    visit(page, "/admin/csp/violation/", "#result_list")
    expect(page.locator("#result_list")).to_contain_text("https://tracker.example")
    visit(page, "/admin/knowledge/article/", "#result_list")
    page.locator("#result_list tbody th a").first.click()
    expect(page.locator("#article_form")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert violations(page) == []


def test_redoc_renders_and_its_only_refused_request_is_a_third_party_logo(
    page: Page, base_url, browser_errors
):
    watched(page)
    page.goto("/api/redoc/")
    expect(page.locator(".api-content").first).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name=re.compile("Nexus API"))).to_be_visible()
    page.wait_for_load_state("networkidle")
    # ReDoc links Redocly's logo from their CDN; Nexus serves nothing from third parties.
    assert [v for v in violations(page) if "cdn.redoc.ly" not in v] == []
    browser_errors.clear()


def test_a_violation_chromium_reports_is_collected(page: Page, base_url, browser_errors):
    """Chromium sends report-to reports through its Reporting API, which delivers only to HTTPS
    endpoints (and after a delay); this live server is HTTP, so the page is served here without
    report-to and Chromium posts to report-uri at once, in its real application/csp-report form."""

    def without_report_to(route: Route) -> None:
        response = route.fetch()
        headers = dict(response.headers)
        headers["content-security-policy"] = re.sub(
            r";\s*report-to [\w-]+", "", headers["content-security-policy"]
        )
        route.fulfill(response=response, headers=headers)

    page.route(f"{base_url}/", without_report_to)
    page.goto("/")
    with page.expect_response(re.compile(r"/csp-reports/$")) as reported:
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.injected = true";
                document.body.append(script);
            }"""
        )
    assert reported.value.status == 204
    assert page.evaluate("window.injected") is None  # blocked

    violation = Violation.objects.get()
    assert (violation.page_route, violation.directive, violation.blocked_uri) == (
        "/",
        "script-src-elem",
        "inline",
    )
    assert violation.sample == "window.injected = true"
    browser_errors.clear()
