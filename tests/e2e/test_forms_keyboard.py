"""The forms by keyboard alone, in a real browser: technologies and tags chosen in the type-ahead
chooser, an operation rated with the stars and the saved rating announced, the milestones page as
tabs (and its height on a 1280x800 screen), the narrow-screen menu, and a vote on a solution. Each
changed page passes axe-core with no serious or critical violation."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from playwright.sync_api import Page, expect

from nexus.accounts.models import Role
from nexus.challenges import services as challenges
from nexus.collab.models import ApiConsumer, EndpointFeedback, Operation
from nexus.collab.services.catalog import api_create, spec_version_create
from nexus.core import clock
from nexus.journal import selectors as journal_selectors
from nexus.journal import services as journal
from nexus.knowledge.models import Article
from tests.collab.conftest import PETS_V1
from tests.e2e.login import log_in
from tests.e2e.test_shell import AXE_SCRIPT, RUN_AXE
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.figures import report
from tests.knowledge.factories import ensure_taxonomy

pytestmark = pytest.mark.e2e

# The milestones page stacked six forms, 5,600 px tall; with tabs one shows at a time.
MILESTONES_MAX_HEIGHT = 2000


@pytest.fixture
def member(base_url):
    ensure_taxonomy()
    return UserFactory(email="kim@example.com", display_name="Kim Keyboard")


def signed_in(new_page, user, **options) -> Page:
    page = new_page(**options)
    page.context.add_init_script(path=AXE_SCRIPT)
    log_in(page, email=user.email, password=DEFAULT_PASSWORD)
    return page


def assert_no_serious_axe_violations(page: Page) -> None:
    assert page.evaluate(RUN_AXE) == []


def test_technologies_and_tags_are_chosen_with_the_keyboard(new_page, screenshot, member):
    page = signed_in(new_page, member)
    page.goto("/articles/new/")
    page.get_by_label("Title").fill("Connection pooling in practice")
    technologies = page.get_by_role("combobox", name="Technologies")
    technologies.focus()
    page.keyboard.type("postg")
    expect(technologies).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("option", name="PostgreSQL")).to_be_visible()
    page.keyboard.press("Enter")
    status = page.get_by_test_id("chooser-technologies").get_by_test_id("chooser-status")
    expect(status).to_have_text("Added PostgreSQL")
    page.keyboard.type("dj")
    page.keyboard.press("ArrowDown")  # from the first suggestion to the second
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    chips = page.get_by_role("list", name="Chosen technologies").get_by_role("listitem")
    expect(chips).to_have_count(2)
    # The chips follow the list's order; Backspace in the empty box removes the last one.
    kept, last = (chips.nth(n).locator("span").inner_text() for n in (0, 1))
    page.keyboard.press("Backspace")
    expect(chips).to_have_count(1)
    expect(status).to_have_text(f"Removed {last}")
    page.keyboard.type("redis")
    page.keyboard.press("Enter")
    expect(chips).to_have_count(2)
    # A chip's ✕ button removes it too.
    page.get_by_role("button", name="Remove Redis").focus()
    page.keyboard.press("Enter")
    expect(chips).to_have_count(1)
    # Escape closes the suggestions without leaving the box.
    technologies.focus()
    page.keyboard.type("cel")
    page.keyboard.press("Escape")
    expect(technologies).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")

    tags = page.get_by_role("combobox", name="Tags")
    tags.focus()
    page.keyboard.type("pooling")
    page.keyboard.press("Enter")
    page.keyboard.type("latency,")
    expect(page.get_by_role("list", name="Chosen tags").get_by_role("listitem")).to_have_count(2)
    screenshot("chooser")
    assert_no_serious_axe_violations(page)

    page.get_by_label("Body (Markdown)").fill("Keep the pool small.")
    page.get_by_test_id("save-article").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connection pooling in practice")
    article = Article.objects.get(title="Connection pooling in practice")
    assert [tech.name for tech in article.technologies.all()] == [kept]
    assert sorted(tag.name for tag in article.tags.all()) == ["latency", "pooling"]


def test_an_operation_is_rated_with_the_stars_by_keyboard(new_page, screenshot, member):
    maintainer = UserFactory()
    api = api_create(actor=maintainer, name="Pets")
    spec_version_create(api=api, actor=maintainer, raw=PETS_V1, source="paste")
    operation = Operation.objects.get(key="POST /pets")
    page = signed_in(new_page, member)
    page.goto(f"/apis/{api.slug}/operations/{operation.pk}/")
    page.get_by_text("Rate this operation").focus()
    page.keyboard.press("Enter")  # opens the <details>
    naming = page.get_by_role("group", name="Naming")
    naming.get_by_role("radio", name="Not rated").focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(naming.get_by_role("radio", name="4 of 5 stars")).to_be_checked()
    expect(naming.get_by_role("radio", name="4 of 5 stars")).to_be_focused()
    page.keyboard.press("Tab")  # to the next group, Error messages, where 2 stars go
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    errors = page.get_by_role("group", name="Error messages")
    expect(errors.get_by_role("radio", name="2 of 5 stars")).to_be_checked()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Save rating").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Saved your rating.")).to_be_visible()
    expect(page.get_by_test_id("feedback-summary")).to_contain_text("Rated 3.0/5 by 1")
    # Last: a full-page screenshot leaves style="" on the inputs, which htmx's settling would copy.
    screenshot("stars-saved")
    saved = EndpointFeedback.objects.get()
    assert (saved.naming, saved.error_messages, saved.documentation) == (4, 2, None)


@pytest.fixture
def learner_with_milestones(member):
    importlib.import_module("nexus.journal.migrations.0002_default_program").add_program(apps, None)
    mentor = UserFactory(email="mia@example.com", role=Role.MENTOR)
    cohort = journal.cohort_create(
        actor=mentor,
        program=journal_selectors.default_program(),
        name="Keyboard cohort",
        start_date=clock.today() - timedelta(days=40),
        mentors=[mentor],
    )
    journal.cohort_add_learner(actor=mentor, cohort=cohort, learner=member)
    return member


def test_the_milestones_page_is_tabs_one_milestone_at_a_time(
    new_page, screenshot, learner_with_milestones
):
    page = signed_in(new_page, learner_with_milestones)
    page.goto("/journal/milestones/")
    tabs = page.get_by_role("tab")
    count = tabs.count()
    assert count >= 2
    expect(page.get_by_role("tabpanel")).to_have_count(1)
    expect(tabs.first).to_have_attribute("aria-selected", "true")
    height = page.evaluate("document.documentElement.scrollHeight")
    report(f"Milestones page at 1280x800: {height} px tall with tabs ({count} milestones)")
    assert height < MILESTONES_MAX_HEIGHT
    screenshot("milestone-tabs")
    assert_no_serious_axe_violations(page)
    tabs.first.focus()
    page.keyboard.press("ArrowRight")
    expect(tabs.nth(1)).to_be_focused()
    expect(tabs.nth(1)).to_have_attribute("aria-selected", "true")
    panel = page.get_by_role("tabpanel")
    expect(panel).to_have_count(1)
    expect(panel).to_have_attribute("aria-labelledby", tabs.nth(1).get_attribute("id") or "")
    page.keyboard.press("End")
    expect(tabs.nth(count - 1)).to_have_attribute("aria-selected", "true")

    # Without JavaScript every milestone shows, and the tab list is a list of links to them.
    plain = new_page(java_script_enabled=False)
    log_in(plain, email=learner_with_milestones.email, password=DEFAULT_PASSWORD)
    plain.goto("/journal/milestones/")
    expect(plain.get_by_test_id("milestone")).to_have_count(count)
    expect(plain.get_by_test_id("milestone-tab").first).to_have_attribute(
        "href", f"#{plain.get_by_test_id('milestone').first.get_attribute('id')}"
    )
    full = plain.evaluate("document.documentElement.scrollHeight")
    report(f"Milestones page without JavaScript: {full} px (every form shown)")


def test_the_menu_and_a_vote_by_keyboard(new_page, member):
    author = UserFactory(email="ola@example.com")
    challenge = challenges.challenge_create(
        author=author, title="Checker fails on a clean clone", body="`exit 1`"
    )
    solution = challenges.solution_create(challenge=challenge, author=author, body="Pin the tool.")
    page = signed_in(new_page, member, viewport={"width": 390, "height": 800})
    page.goto(challenge.get_absolute_url())
    menu = page.get_by_test_id("menu-toggle")
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Articles")).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()

    votes = page.get_by_test_id(f"vote-solution-{solution.pk}")
    votes.get_by_role("button", name="Upvote").focus()
    page.keyboard.press("Enter")
    expect(votes.get_by_test_id("score")).to_have_text("1")
    upvote = votes.get_by_role("button", name="Upvote")
    expect(upvote).to_have_attribute("aria-pressed", "true")
    # The swapped-in buttons keep the focus, so a second Enter takes the vote back.
    expect(upvote).to_be_focused()
    page.keyboard.press("Enter")
    expect(votes.get_by_test_id("score")).to_have_text("0")
    assert_no_serious_axe_violations(page)


def test_the_other_choosers_pass_axe_and_submit(new_page, member):
    maintainer = UserFactory()
    api = api_create(actor=maintainer, name="Pets")
    spec_version_create(api=api, actor=maintainer, raw=PETS_V1, source="paste")
    page = signed_in(new_page, member)
    page.goto("/challenges/new/")
    expect(page.get_by_role("combobox", name="Technologies")).to_be_visible()
    assert_no_serious_axe_violations(page)

    # The operations a consumer uses, on the API page: the same chooser in a <details>.
    page.goto(f"/apis/{api.slug}/")
    page.get_by_text("I use this API").click()
    operations = page.get_by_role("combobox", name="Operations")
    operations.focus()
    page.keyboard.type("get /pets/")
    page.keyboard.press("Enter")
    expect(page.get_by_role("list", name="Chosen operations").get_by_role("listitem")).to_have_text(
        ["GET /pets/{petId}\u2715"]
    )
    assert_no_serious_axe_violations(page)
    page.get_by_test_id("consume").click()
    expect(page.get_by_role("status").first).to_contain_text("You are now a consumer of Pets")
    assert list(ApiConsumer.objects.get().operations) == ["GET /pets/{petId}"]
