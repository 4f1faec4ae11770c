"""The signed-in home: what is new in what the user follows, their open challenges, their next
milestone and a getting-started checklist; visitors keep the shared public home."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nexus.accounts.services import user_update_profile
from nexus.challenges import services as challenge_services
from nexus.core import events
from nexus.importer.services import import_job_create
from nexus.journal import selectors as journal_selectors
from nexus.journal import services as journal_services
from nexus.journal.models import MilestoneStatus
from nexus.knowledge.services import article_archive
from tests.challenges.conftest import post_challenge
from tests.importer.journals import JOURNAL
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(owner):
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def notify(django_capture_on_commit_callbacks):
    """A notification for a recipient, published the way features do."""

    def run(recipient, title):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            events.publish("mention", payload={"recipient_ids": [recipient.pk], "title": title})

    return run


@pytest.fixture
def learner(owner, mentor):
    cohort = journal_services.cohort_create(
        actor=mentor,
        program=journal_selectors.default_program(),
        name="Home cohort",
        start_date=journal_selectors.default_program().created_at.date(),
        mentors=[mentor],
    )
    journal_services.cohort_add_learner(actor=mentor, cohort=cohort, learner=owner)
    return owner


def approve(progress, mentor):
    progress = journal_services.progress_update(
        progress=progress, actor=progress.learner, status=MilestoneStatus.SUBMITTED
    )
    return journal_services.progress_review(
        progress=progress, reviewer=mentor, approve=True, comment=""
    )


def page(client):
    """The signed-in home's HTML (its own page, not the visitors' one)."""
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="home-news"' in html
    return html


def checklist_state(html, key):
    marker = f'data-testid="checklist-{key}" data-done="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)] == "true"


# --- Visitors and the page cache ----------------------------------------------------------


def test_a_visitor_keeps_the_public_home_served_from_the_page_cache(client, owner):
    make_article(owner, title="Connection pooling")
    client.get("/")
    again = client.get("/")
    assert again["X-Nexus-Cache"] == "hit"
    html = again.content.decode()
    assert "Recent articles" in html
    assert "Connection pooling" in html
    assert "Getting started" not in html


def test_a_signed_in_home_is_never_stored_nor_shown_to_a_visitor(client, signed_in, owner):
    for _ in range(2):
        response = signed_in.get("/")
        assert "X-Nexus-Cache" not in response
        assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
        assert "Welcome back" in response.content.decode()
    visitor = client.get("/")
    assert "Welcome back" not in visitor.content.decode()
    assert owner.display_name not in visitor.content.decode()


# --- Sections: filled and empty ------------------------------------------------------------


def test_every_section_has_a_friendly_empty_state_with_a_link(signed_in):
    html = page(signed_in)
    assert 'data-testid="home-news-empty"' in html
    assert 'href="/technologies/"' in html
    assert 'data-testid="home-challenges-empty"' in html
    assert 'href="/challenges/new/"' in html
    assert 'data-testid="home-milestone-empty"' in html
    assert "they come with a cohort" in html
    assert 'href="/journal/"' in html


def test_news_shows_the_newest_notifications_bounded(signed_in, owner, notify):
    for number in range(12):
        notify(owner, f"News number {number}")
    html = page(signed_in)
    assert html.count('data-testid="home-news-item"') == 10
    assert "News number 11" in html
    assert "News number 0<" not in html
    assert 'href="/notifications/"' in html


def test_open_challenges_are_the_users_own_unsolved_ones_newest_first(signed_in, owner, other_user):
    older = post_challenge(owner, title="Migrations hang on deploy")
    newer = post_challenge(owner, title="Celery tasks run twice")
    closed = post_challenge(owner, title="A closed question of mine")
    challenge_services.challenge_set_status(challenge=closed, actor=owner, status="closed")
    post_challenge(other_user, title="Someone else's problem")

    html = page(signed_in)

    assert html.count('data-testid="home-challenge"') == 2
    assert html.index(newer.title) < html.index(older.title)
    assert closed.title not in html
    assert "Someone else" not in html


def test_the_next_milestone_is_the_first_one_not_done(signed_in, learner, mentor):
    rows = list(journal_selectors.progress_list(viewer=learner).filter(learner=learner))
    approve(rows[0], mentor)

    html = page(signed_in)

    milestone = rows[1].milestone
    assert f"{milestone.number}. {milestone.title}" in html
    assert rows[0].milestone.title not in html.split('data-testid="home-milestone"')[1]
    assert 'href="/journal/milestones/"' in html


def test_no_milestone_left_says_so_and_links_to_the_journal(signed_in, learner, mentor):
    for progress in journal_selectors.progress_list(viewer=learner).filter(learner=learner):
        approve(progress, mentor)
    html = page(signed_in)
    assert "Every milestone is done" in html
    assert 'href="/journal/"' in html


# --- Getting started -----------------------------------------------------------------------


def test_a_new_user_has_every_step_to_do_each_with_a_link(signed_in):
    html = page(signed_in)
    assert "0 of 4 done" in html
    for key in ("profile", "first-post", "import", "cohort"):
        assert not checklist_state(html, key), key
    for link in ("/accounts/profile/", "/articles/new/", "/imports/", "/journal/milestones/"):
        assert f'href="{link}"' in html


def test_each_step_is_marked_done_from_the_users_data(
    signed_in, owner, django_capture_on_commit_callbacks
):
    user_update_profile(actor=owner, user=owner, bio="Backend learner, Django and Postgres.")
    post_challenge(owner)
    with django_capture_on_commit_callbacks(execute=True):
        import_job_create(owner=owner, upload_name="README.md", upload_data=JOURNAL.encode())

    html = page(signed_in)

    assert "3 of 4 done" in html
    assert checklist_state(html, "profile")
    assert checklist_state(html, "first-post")
    assert checklist_state(html, "import")
    assert not checklist_state(html, "cohort")


def test_a_dry_run_import_or_an_archived_article_does_not_count(
    signed_in, owner, django_capture_on_commit_callbacks
):
    article_archive(article=make_article(owner), editor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        import_job_create(
            owner=owner, upload_name="README.md", upload_data=JOURNAL.encode(), dry_run=True
        )
    html = page(signed_in)
    assert not checklist_state(html, "first-post")
    assert not checklist_state(html, "import")


def test_the_checklist_hides_once_everything_is_done(
    signed_in, learner, django_capture_on_commit_callbacks
):
    user_update_profile(actor=learner, user=learner, bio="Learning every day.")
    make_article(learner)
    with django_capture_on_commit_callbacks(execute=True):
        import_job_create(owner=learner, upload_name="README.md", upload_data=JOURNAL.encode())
    html = page(signed_in)
    assert 'data-testid="home-checklist"' not in html
    assert "Getting started" not in html


# --- Cost ----------------------------------------------------------------------------------


def queries_for_home(client):
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        page(client)
    return len(queries)


def test_the_signed_in_home_costs_the_same_queries_however_much_there_is(
    signed_in, learner, other_user, notify, django_assert_max_num_queries
):
    post_challenge(learner, title="The first of mine")
    notify(learner, "One piece of news")
    make_article(learner, title="The first article")
    few = queries_for_home(signed_in)

    for number in range(15):
        post_challenge(learner, title=f"Open challenge {number}")
        notify(learner, f"News {number}")
        make_article(learner, title=f"Article {number}")

    many = queries_for_home(signed_in)
    print(f"\nsigned-in home: {few} queries with 1 item per section, {many} with 16")
    assert many == few
    with django_assert_max_num_queries(10):
        page(signed_in)
