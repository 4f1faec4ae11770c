"""Dashboards' aggregates: checked against a plain Python count of the same rows, on SQLite and
PostgreSQL (CI sets DATABASE_URL), one query per chart, served as JSON and CSV with permissions."""

import csv
import io
from collections import Counter
from datetime import timedelta

import pytest

from nexus.core import clock
from nexus.journal import analytics, services
from nexus.journal.models import Entry, MilestoneProgress
from tests.factories import UserFactory
from tests.journal.conftest import write_entry


def week_of(day):
    return day - timedelta(days=day.weekday())


@pytest.fixture
def busy_learner(learner):
    for days_ago, minutes, topics in [
        (0, 60, ["django"]),
        (1, 30, ["django", "docker"]),
        (2, 45, []),
        (9, 120, ["postgresql"]),
        (30, 15, ["django"]),
        (31, 15, []),
    ]:
        write_entry(learner, days_ago=days_ago, minutes=minutes, topics=topics)
    return learner


def test_activity_counts_entries_and_hours_per_week_like_a_plain_loop(busy_learner):
    chart = analytics.learner_activity(busy_learner)
    expected_entries, expected_minutes = Counter(), Counter()
    for entry in Entry.objects.filter(author=busy_learner):
        expected_entries[str(week_of(entry.date))] += 1
        expected_minutes[str(week_of(entry.date))] += entry.minutes_spent
    entries = dict(zip(chart.labels, chart.datasets[0].data, strict=True))
    hours = dict(zip(chart.labels, chart.datasets[1].data, strict=True))
    assert {k: v for k, v in entries.items() if v} == dict(expected_entries)
    assert {k: v for k, v in hours.items() if v} == {
        k: round(v / 60, 1) for k, v in expected_minutes.items()
    }
    assert len(chart.labels) == analytics.WEEKS_SHOWN
    assert [d.label for d in chart.datasets][:2] == ["Entries", "Hours"]
    assert "Articles written" in [d.label for d in chart.datasets]


def test_the_streak_counts_consecutive_days_up_to_today(busy_learner):
    assert analytics.learner_streak(busy_learner) == 3
    write_entry(busy_learner, days_ago=3)
    assert analytics.learner_streak(busy_learner) == 4


def test_a_streak_survives_until_today_has_an_entry(owner):
    write_entry(owner, days_ago=1)
    write_entry(owner, days_ago=2)
    assert analytics.learner_streak(owner) == 2
    assert analytics.learner_streak(UserFactory()) == 0


def test_topics_cover_the_program_and_count_the_learners_entries(busy_learner):
    chart = analytics.learner_topics(busy_learner)
    counts = dict(zip(chart.labels, chart.datasets[0].data, strict=True))
    assert counts["Django"] == 3
    assert counts["PostgreSQL"] == 1
    assert counts["Docker"] == 1
    assert counts["Celery"] == 0  # in the program, not covered yet


def test_milestone_chart_counts_statuses(learner):
    MilestoneProgress.objects.filter(learner=learner, milestone__number__lte=2).update(
        status="done"
    )
    chart = analytics.learner_milestones(learner)
    assert dict(zip(chart.labels, chart.datasets[0].data, strict=True)) == {
        "Not started": 4,
        "In progress": 0,
        "Submitted": 0,
        "Done": 2,
    }


@pytest.fixture
def cohort_with_three(cohort, learner, mentor):
    quiet, fresh = UserFactory(display_name="Quinn Quiet"), UserFactory(display_name="Fay Fresh")
    for user in (quiet, fresh):
        services.cohort_add_learner(actor=mentor, cohort=cohort, learner=user)
    write_entry(learner, days_ago=1, topics=["django", "docker"])
    write_entry(quiet, days_ago=20, topics=["django"])
    MilestoneProgress.objects.filter(learner=learner, milestone__number=1).update(status="done")
    MilestoneProgress.objects.filter(learner=quiet, milestone__number=2).update(status="submitted")
    outsider = UserFactory()
    write_entry(outsider, topics=["docker"])
    return cohort


def test_cohort_milestones_per_learner(cohort_with_three, learner):
    chart = analytics.cohort_milestones(cohort_with_three)
    assert chart.labels == ["Fay Fresh", "Olivia Owner", "Quinn Quiet"]
    done, submitted, in_progress = (d.data for d in chart.datasets)
    assert list(done) == [0, 1, 0]
    assert list(submitted) == [0, 0, 1]
    assert list(in_progress) == [0, 0, 0]
    expected = Counter(
        p.learner.display_name
        for p in MilestoneProgress.objects.filter(status="done").select_related("learner")
    )
    assert dict(zip(chart.labels, done, strict=True)) == {
        name: expected.get(name, 0) for name in chart.labels
    }


def test_cohort_inactive_lists_who_has_not_written_or_logged_in_for_two_weeks(cohort_with_three):
    chart = analytics.cohort_inactive(cohort_with_three)
    assert dict(zip(chart.labels, chart.datasets[0].data, strict=True)) == {
        "Fay Fresh": None,
        "Quinn Quiet": 20,
    }


def test_a_recent_login_counts_as_active(stopped_clock, cohort_with_three):
    from nexus.accounts.models import User

    User.objects.filter(display_name="Fay Fresh").update(last_login=clock.now())
    assert analytics.cohort_inactive(cohort_with_three).labels == ["Quinn Quiet"]


def test_cohort_coverage_counts_learners_per_technology_inside_the_cohort(cohort_with_three):
    chart = analytics.cohort_coverage(cohort_with_three)
    assert dict(zip(chart.labels, chart.datasets[0].data, strict=True)) == {
        "Django": 2,
        "Docker": 1,
    }


def test_program_charts_count_active_learners_and_content_per_week(
    awkward_moment, busy_learner, other_user
):
    write_entry(other_user)
    active = analytics.weekly_active_users()
    assert active.datasets[0].data[-1] == 2
    content = analytics.content_per_week()
    entries = dict(zip(content.labels, content.datasets[0].data, strict=True))
    assert (
        entries[str(week_of(clock.today()))]
        == Counter(str(week_of(e.date)) for e in Entry.objects.all())[str(week_of(clock.today()))]
    )


@pytest.mark.parametrize(
    ("function", "limit"),
    [
        (analytics.cohort_milestones, 1),
        (analytics.cohort_inactive, 1),
        (analytics.cohort_coverage, 1),
    ],
)
def test_each_cohort_chart_is_one_query(
    cohort_with_three, django_assert_num_queries, function, limit
):
    with django_assert_num_queries(limit):
        function(cohort_with_three)


def test_learner_activity_is_one_query_plus_one_per_evidence_kind(
    busy_learner, django_assert_num_queries
):
    from nexus.journal import evidence

    with django_assert_num_queries(1 + len(evidence.providers())):
        analytics.learner_activity(busy_learner)


# --- The API: JSON, CSV and who may see what --------------------------------------------------


def test_a_learner_reads_their_charts_as_json_and_csv(client_for, busy_learner):
    client = client_for(busy_learner)
    response = client.get("/api/v1/analytics/learners/me/activity/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "activity"
    assert len(body["labels"]) == analytics.WEEKS_SHOWN
    as_csv = client.get("/api/v1/analytics/learners/me/activity/", {"format": "csv"})
    assert as_csv.status_code == 200
    assert as_csv["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode())))
    assert rows[0][:3] == ["label", "Entries", "Hours"]
    assert len(rows) == analytics.WEEKS_SHOWN + 1
    assert sum(int(row[1]) for row in rows[1:]) == 6


@pytest.mark.parametrize(
    ("who", "own", "others", "cohort_status", "program_status"),
    [
        ("owner", 200, 403, 403, 403),
        ("other_user", 200, 403, 403, 403),
        ("mentor", 200, 200, 200, 403),
        ("admin_user", 200, 200, 200, 200),
    ],
)
def test_analytics_permission_matrix(
    client_for, learner, cohort, request, who, own, others, cohort_status, program_status
):
    user = request.getfixturevalue(who)
    client = client_for(user)
    assert client.get("/api/v1/analytics/learners/me/topics/").status_code == own
    target = UserFactory()
    assert client.get(f"/api/v1/analytics/learners/{target.pk}/activity/").status_code == others
    url = f"/api/v1/analytics/cohorts/{cohort.pk}/milestones/"
    assert client.get(url).status_code == cohort_status
    assert (
        client.get("/api/v1/analytics/program/weekly-active-users/").status_code == program_status
    )


def test_anonymous_users_get_no_analytics(api_client, cohort):
    assert api_client.get("/api/v1/analytics/learners/me/activity/").status_code in (401, 403)
    assert api_client.get(f"/api/v1/analytics/cohorts/{cohort.pk}/coverage/").status_code in (
        401,
        403,
    )


def test_unknown_charts_and_cohorts_are_404(client_for, admin_user, cohort):
    client = client_for(admin_user)
    assert client.get("/api/v1/analytics/learners/me/nope/").status_code == 404
    assert client.get("/api/v1/analytics/cohorts/999999/milestones/").status_code == 404
    assert client.get("/api/v1/analytics/program/nope/", {"format": "csv"}).status_code == 404


def test_an_error_asked_for_as_csv_is_still_a_problem_document(client_for, admin_user):
    response = client_for(admin_user).get("/api/v1/analytics/program/nope/", {"format": "csv"})
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404
    assert "weekly-active-users" in response.json()["detail"]


def test_stored_topic_totals_follow_entry_edits_and_deletes(owner):
    from nexus.journal.models import LearnerTopic

    def totals():
        return dict(
            LearnerTopic.objects.filter(learner=owner).values_list("technology__slug", "entries")
        )

    first = write_entry(owner, topics=["django", "docker"])
    write_entry(owner, days_ago=1, topics=["django"])
    assert totals() == {"django": 2, "docker": 1}
    services.entry_update(entry=first, actor=owner, topics=["redis"])
    assert totals() == {"django": 1, "redis": 1}
    services.entry_delete(entry=first, actor=owner)
    assert totals() == {"django": 1}
    LearnerTopic.objects.all().delete()
    assert services.learner_topics_refresh() == 1
    assert totals() == {"django": 1}
