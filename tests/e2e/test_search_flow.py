"""Search in a real browser: a typo in the nav box still finds the article, highlighted."""

import re

import pytest
from playwright.sync_api import Page, expect

from nexus.knowledge.models import Technology, TechnologyCategory
from nexus.search import services
from tests.factories import UserFactory
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.e2e


@pytest.fixture
def articles(base_url):
    # The live server's database is flushed between tests, taking the default taxonomy with it.
    category, _ = TechnologyCategory.objects.get_or_create(slug="data", defaults={"name": "Data"})
    for slug, name in (("postgresql", "PostgreSQL"), ("redis", "Redis")):
        Technology.objects.get_or_create(slug=slug, defaults={"name": name, "category": category})
    author = UserFactory(display_name="Pat Postgres")
    make_article(
        author,
        title="PostgreSQL indexes that pay off",
        body="In PostgreSQL a GIN index serves full-text search; partial indexes stay small.",
        technologies=["postgresql"],
        tags=["performance"],
    )
    make_article(author, title="Caching with Redis", body="Versioned keys.", technologies=["redis"])
    make_article(author, title="Unpublished PostgreSQL notes", body="index", status="draft")
    services.index_rebuild()


def test_a_typo_finds_the_article_with_a_highlighted_snippet(page: Page, articles, screenshot):
    page.goto("/")
    box = page.get_by_test_id("nav-search")
    box.fill("postgress")  # autocomplete waits for three characters of a title
    box.press("Enter")

    expect(page.get_by_test_id("corrected-query")).to_contain_text("postgresql")
    hits = page.get_by_test_id("search-hit")
    expect(hits).to_have_count(1)
    expect(hits.first.get_by_role("link")).to_have_text("PostgreSQL indexes that pay off")
    expect(hits.first.locator("mark").first).to_be_visible()
    screenshot("typo-corrected")

    hits.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PostgreSQL indexes that pay off")


def test_autocomplete_suggests_titles_and_technologies_as_you_type(
    page: Page, articles, screenshot
):
    page.goto("/search/")
    page.get_by_test_id("nav-search").press_sequentially("postg", delay=30)

    suggestions = page.get_by_test_id("suggestions")
    expect(suggestions).to_contain_text("PostgreSQL indexes that pay off")
    expect(suggestions).to_contain_text("technology")
    expect(suggestions).not_to_contain_text("Unpublished")
    screenshot("autocomplete")


def test_facets_narrow_results_on_a_phone(new_page, articles, screenshot):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto("/search/?q=index")
    expect(page.get_by_test_id("search-hit")).to_have_count(1)

    page.get_by_role("complementary", name="Filters").get_by_role("link", name="PostgreSQL").click()
    expect(page).to_have_url(re.compile(r"technology=postgresql"))
    expect(page.get_by_test_id("search-hit")).to_have_count(1)
    screenshot("phone-facets")
