"""The search page on a phone and a desktop: results before facets, a full-width no-results
message, and a "did you mean" link that searches the correction (issue #17)."""

import pytest
from playwright.sync_api import Page, expect

from nexus.knowledge.models import Technology, TechnologyCategory
from nexus.search import services
from tests.factories import UserFactory
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def articles(base_url):
    # The live server's database is flushed between tests, taking the default taxonomy with it.
    category, _ = TechnologyCategory.objects.get_or_create(slug="web", defaults={"name": "Web"})
    Technology.objects.get_or_create(
        slug="django", defaults={"name": "Django", "category": category}
    )
    author = UserFactory(display_name="Dee Django")
    for title in ("Django signals explained", "Django forms in depth"):
        make_article(author, title=title, body="Django hooks.", technologies=["django"])
    services.index_rebuild()


def test_on_a_phone_the_results_come_before_the_facets(new_page, articles, screenshot):
    page = new_page(viewport=PHONE, is_mobile=True)
    page.goto("/search/?q=djnago")

    first_hit = page.get_by_test_id("search-hit").first
    facets = page.get_by_role("complementary", name="Filters")
    expect(first_hit).to_be_visible()
    expect(facets).to_be_attached()
    hit_box, facets_box = first_hit.bounding_box(), facets.bounding_box()
    assert hit_box is not None
    assert facets_box is not None
    assert hit_box["y"] + hit_box["height"] <= facets_box["y"]
    screenshot("phone-results-first")

    page.get_by_test_id("did-you-mean").click()
    expect(page).to_have_url("/search/?q=django")
    expect(page.get_by_test_id("search-hit")).to_have_count(2)
    expect(page.get_by_test_id("corrected-query")).to_have_count(0)


def test_nothing_found_takes_the_full_width_without_a_correction(page: Page, articles, screenshot):
    page.goto("/search/?q=zzzqqq+nothing")

    message = page.get_by_test_id("no-results")
    expect(message).to_be_visible()
    expect(page.get_by_test_id("corrected-query")).to_have_count(0)
    layout = page.locator(".search-layout").bounding_box()
    box = message.bounding_box()
    assert layout is not None
    assert box is not None
    assert box["width"] >= layout["width"] * 0.9
    screenshot("no-results-full-width")
