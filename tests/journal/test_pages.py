"""The journal's web pages: month view with htmx, forms with field errors, 403s, dashboards."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from nexus.journal.models import Entry, MilestoneProgress, Reflection
from tests.factories import UserFactory
from tests.journal.conftest import write_entry


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_month_page_needs_a_login(db):
    response = Client().get("/journal/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_month_page_shows_an_empty_state(owner):
    page = logged_in(owner).get("/journal/").content.decode()
    assert "No entries this month" in page
    assert 'name="body"' in page


def entry_form(**changes):
    data = {
        "date": str(timezone.localdate()),
        "body": "Wrote a **view**",
        "minutes_spent": "45",
        "confidence": "4",
        "visibility": "private",
        "topics": ["django"],
    }
    data.update(changes)
    return data


def test_writing_an_entry_with_htmx_swaps_the_worklog_in_place(owner):
    response = logged_in(owner).post(
        "/journal/entries/new/", entry_form(), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="worklog"')
    assert "<strong>view</strong>" in html
    assert Entry.objects.get().topics.get().slug == "django"


def test_writing_an_entry_without_htmx_redirects_to_its_month(owner):
    day = timezone.localdate() - timedelta(days=35)
    response = logged_in(owner).post("/journal/entries/new/", entry_form(date=str(day)))
    assert response.status_code == 302
    assert response["Location"].endswith(f"?month={day:%Y-%m}")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date": "2999-01-01"}, "date"),
        ({"minutes_spent": "-1"}, "minutes_spent"),
        ({"minutes_spent": "1441"}, "minutes_spent"),
        ({"body": "x" * (512 * 1024 + 1)}, "body"),
    ],
)
def test_a_bad_entry_shows_the_error_next_to_its_field(owner, changes, field):
    response = logged_in(owner).post("/journal/entries/new/", entry_form(**changes))
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert Entry.objects.count() == 0


def test_an_entry_before_the_cohort_start_is_refused_on_the_page(learner, cohort):
    day = cohort.start_date - timedelta(days=1)
    response = logged_in(learner).post("/journal/entries/new/", entry_form(date=str(day)))
    assert response.status_code == 400
    assert 'data-field="date"' in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("other_user", 403), ("mentor", 403), ("owner", 200)])
def test_only_the_author_opens_the_edit_page(owner, request, who, status):
    entry = write_entry(owner, visibility="public")
    assert (
        logged_in(request.getfixturevalue(who))
        .get(f"/journal/entries/{entry.pk}/edit/")
        .status_code
        == status
    )


def test_the_author_edits_an_entry(owner):
    entry = write_entry(owner)
    response = logged_in(owner).post(
        f"/journal/entries/{entry.pk}/edit/", entry_form(body="Changed")
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.body == "Changed"


def test_a_reflection_is_saved_for_the_month(owner):
    month = timezone.localdate().replace(day=1)
    response = logged_in(owner).post(
        f"/journal/reflections/{month:%Y-%m}/",
        {
            "went_well": "Shipped",
            "was_hard": "Docker",
            "to_change": "Sleep",
            "visibility": "mentors",
        },
    )
    assert response.status_code == 302
    reflection = Reflection.objects.get()
    assert (reflection.month, reflection.went_well) == (month, "Shipped")


def test_the_month_page_offers_this_months_articles_as_evidence(owner):
    from nexus.knowledge.models import Article

    Article.objects.create(slug="my-notes", title="My notes on ORM", body="x", author=owner)
    page = logged_in(owner).get("/journal/").content.decode()
    assert "My notes on ORM" in page


def test_milestones_page_submit_and_review_pages(learner, mentor):
    progress = MilestoneProgress.objects.get(learner=learner, milestone__number=1)
    client = logged_in(learner)
    assert (
        "Project Setup &amp; DB Configuration"
        in client.get("/journal/milestones/").content.decode()
    )
    response = client.post(
        f"/journal/milestones/{progress.pk}/",
        {
            f"{progress.pk}-status": "submitted",
            f"{progress.pk}-repository_url": "https://git.example.com/r",
        },
    )
    assert response.status_code == 302
    assert logged_in(learner).get("/journal/review/").status_code == 403
    review_page = logged_in(mentor).get("/journal/review/").content.decode()
    assert "Olivia Owner" in review_page
    reviewed = logged_in(mentor).post(
        f"/journal/review/{progress.pk}/", {f"{progress.pk}-decision": "approve"}
    )
    assert reviewed.status_code == 302
    progress.refresh_from_db()
    assert progress.status == "done"


def test_a_bad_milestone_form_shows_field_errors(learner):
    progress = MilestoneProgress.objects.get(learner=learner, milestone__number=1)
    response = logged_in(learner).post(
        f"/journal/milestones/{progress.pk}/",
        {f"{progress.pk}-status": "in_progress", f"{progress.pk}-repository_url": "nope"},
    )
    assert response.status_code == 400
    assert 'data-field="repository_url"' in response.content.decode()


@pytest.mark.parametrize(
    ("who", "learner_page", "cohort_page", "analytics_page"),
    [
        ("owner", 200, 403, 403),
        ("other_user", 200, 403, 403),
        ("mentor", 200, 200, 403),
        ("admin_user", 200, 200, 200),
    ],
)
def test_dashboard_pages_permission_matrix(
    learner, cohort, request, who, learner_page, cohort_page, analytics_page
):
    client = logged_in(request.getfixturevalue(who))
    assert client.get("/journal/dashboard/").status_code == learner_page
    assert client.get(f"/journal/cohorts/{cohort.pk}/").status_code == cohort_page
    assert client.get("/journal/analytics/").status_code == analytics_page


def test_another_learners_dashboard_is_403_for_learners(owner, other_user):
    assert logged_in(other_user).get(f"/journal/dashboard/?learner={owner.pk}").status_code == 403


def test_the_learner_dashboard_embeds_chart_data_and_links_json_and_csv(learner):
    write_entry(learner)
    page = logged_in(learner).get("/journal/dashboard/").content.decode()
    assert 'id="chart-activity-data"' in page
    assert "/api/v1/analytics/learners/me/activity/?format=csv" in page
    assert "vendor/chart.umd.min.js" in page
    assert "1</strong> day in a row" in page


@pytest.mark.parametrize("extra", [1, 8])
def test_the_cohort_dashboard_takes_the_same_queries_whatever_the_cohort_size(
    awkward_moment, cohort, mentor, django_assert_max_num_queries, extra
):
    from nexus.journal import services

    for _ in range(extra):
        user = UserFactory()
        services.cohort_add_learner(actor=mentor, cohort=cohort, learner=user)
        write_entry(user, days_ago=20, topics=["django"])
    client = logged_in(mentor)
    # 8 for the page, one for "is this mentor one of the cohort's", one for the nav's review
    # count, and mentorship's two rubric charts with the check that the mentor may see scores.
    with django_assert_max_num_queries(13):
        response = client.get(f"/journal/cohorts/{cohort.pk}/")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [2, 25])
def test_the_month_page_takes_the_same_queries_whatever_the_entries(
    owner, django_assert_max_num_queries, count
):
    for n in range(count):
        write_entry(owner, minutes=1, topics=["docker"], days_ago=n % 3)
    client = logged_in(owner)
    with django_assert_max_num_queries(18):
        response = client.get("/journal/")
    assert response.status_code == 200


def test_the_programs_page_lists_the_default_program(db):
    page = Client().get("/journal/programs/").content.decode()
    assert "ProDev Backend Engineering" in page
    assert "Milestone 6: Monitoring" in page


def test_a_new_learners_charts_say_there_is_nothing_yet_instead_of_empty_canvases(
    awkward_moment, learner
):
    page = logged_in(learner).get("/journal/dashboard/").content.decode()
    # Activity and topics are empty; the milestones the cohort gave them are all "not started".
    assert page.count('data-testid="chart-empty"') == 2
    assert "<canvas" in page
    assert '<canvas id="chart-activity"' not in page
    assert '<canvas id="chart-topics"' not in page
    write_entry(learner)
    page = logged_in(learner).get("/journal/dashboard/").content.decode()
    assert '<canvas id="chart-activity"' in page
    assert 'id="chart-activity-data"' in page


def test_the_cohort_dashboard_has_no_stale_copy_and_empty_states(awkward_moment, cohort, mentor):
    page = logged_in(mentor).get(f"/journal/cohorts/{cohort.pk}/").content.decode()
    assert "lands" not in page
    assert 'data-testid="chart-cohort-challenge-topics"' in page
    assert page.count('data-testid="chart-empty"') == 6  # with the two rubric charts
    assert "<canvas" not in page
