"""Challenge charts: the cohort's most asked topics and the program's solved ratio and median
time to first solution, compared with plain Python counts, one query each, as JSON and CSV."""

import csv
import io
import statistics
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from nexus.challenges.models import Challenge
from nexus.journal import analytics, services
from tests.factories import UserFactory
from tests.journal.helpers_plus import challenge, hours, solution


def week_of(day):
    return day - timedelta(days=day.weekday())


@pytest.fixture
def cohort_challenges(cohort, learner, mentor):
    classmate = UserFactory(display_name="Classmate")
    services.cohort_add_learner(actor=mentor, cohort=cohort, learner=classmate)
    outsider = UserFactory(display_name="Outsider")
    now = timezone.now()
    challenge(learner, posted=now, technologies=["Django", "Docker"])
    challenge(learner, posted=now, technologies=["Django"])
    challenge(classmate, posted=now, technologies=["Django", "Redis"])
    challenge(classmate, posted=now - timedelta(days=300), technologies=["Docker"])
    challenge(classmate, posted=now)  # no technology
    challenge(outsider, posted=now, technologies=["Redis", "Kafka"])
    return cohort, [learner.pk, classmate.pk]


def test_most_asked_topics_count_the_cohorts_challenges_like_a_plain_loop(cohort_challenges):
    cohort, members = cohort_challenges
    expected = Counter()
    for item in Challenge.objects.filter(author_id__in=members).prefetch_related("technologies"):
        for tech in item.technologies.all():
            expected[tech.name] += 1
    chart = analytics.cohort_challenge_topics(cohort)
    assert dict(zip(chart.labels, chart.datasets[0].data, strict=True)) == dict(expected)
    assert chart.labels[0] == "JP Django"  # most asked first
    assert "JP Kafka" not in chart.labels


def test_most_asked_topics_is_one_query(cohort_challenges, django_assert_num_queries):
    with django_assert_num_queries(1):
        analytics.cohort_challenge_topics(cohort_challenges[0])


def test_most_asked_topics_as_json_and_csv_for_mentors_only(
    cohort_challenges, client_for, mentor, owner
):
    cohort, _ = cohort_challenges
    url = f"/api/v1/analytics/cohorts/{cohort.pk}/challenge-topics/"
    body = client_for(mentor).get(url).json()
    assert body["name"] == "cohort-challenge-topics"
    assert body["labels"][0] == "JP Django"
    rows = list(
        csv.reader(io.StringIO(client_for(mentor).get(url, {"format": "csv"}).content.decode()))
    )
    assert rows[0] == ["label", "Challenges"]
    assert rows[1] == ["JP Django", "3"]
    assert client_for(owner).get(url).status_code == 403


@pytest.fixture
def answered(db):
    asker, helper = UserFactory(), UserFactory()
    now = timezone.now().replace(microsecond=0)
    plan = [
        # days ago posted, hours to each solution, accepted?
        (1, [2, 5], True),
        (2, [10], False),
        (3, [], False),
        (9, [1.5], True),
        (9, [7, 0.5], True),
        (9, [30], False),
        (20, [4], True),
        (400, [1], True),  # outside the dashboards' window
    ]
    for days_ago, delays, accepted in plan:
        posted = now - timedelta(days=days_ago)
        item = challenge(asker, posted=posted)
        for index, delay in enumerate(delays):
            solution(
                item,
                helper,
                posted=posted + hours(delay),
                accepted_at=posted + hours(delay + 1) if accepted and index == 0 else None,
            )
    dup = challenge(asker, posted=now)
    Challenge.objects.filter(pk=dup.pk).update(status="duplicate", duplicate_of=item)
    return now


def _in_window(today):
    since, _ = analytics.window(today)
    return since


def test_solved_ratio_matches_a_plain_count(answered):
    today = timezone.localdate()
    since = _in_window(today)
    posted, solved = Counter(), Counter()
    for item in Challenge.objects.exclude(status="duplicate"):
        day = item.created_at.date()
        if since <= day <= today:
            posted[str(week_of(day))] += 1
            solved[str(week_of(day))] += item.accepted_solution_id is not None
    chart = analytics.challenges_solved_ratio(today)
    by_label = {d.label: dict(zip(chart.labels, d.data, strict=True)) for d in chart.datasets}
    assert {k: v for k, v in by_label["Posted"].items() if v} == dict(posted)
    assert {k: v for k, v in by_label["Solved"].items() if v} == {
        k: v for k, v in solved.items() if v
    }
    for week, total in posted.items():
        assert by_label["Solved %"][week] == round(100 * solved[week] / total, 1)
    assert sum(by_label["Posted"].values()) == 7


def test_median_time_to_first_solution_matches_statistics_median(answered):
    today = timezone.localdate()
    since = _in_window(today)
    delays: dict[str, list[float]] = {}
    for item in Challenge.objects.exclude(status="duplicate").prefetch_related("solutions"):
        day = item.created_at.date()
        answers = [s.created_at for s in item.solutions.all()]
        if answers and since <= day <= today:
            first = min(answers)
            delays.setdefault(str(week_of(day)), []).append(
                (first - item.created_at).total_seconds() / 3600
            )
    chart = analytics.median_time_to_first_solution(today)
    got = {k: v for k, v in zip(chart.labels, chart.datasets[0].data, strict=True) if v is not None}
    assert got == {week: round(statistics.median(v), 1) for week, v in delays.items()}
    # Nine days ago, three challenges were first answered after 1.5, 0.5 and 30 hours.
    assert got[str(week_of(timezone.localdate() - timedelta(days=9)))] == 1.5


@pytest.mark.parametrize(
    "function", [analytics.challenges_solved_ratio, analytics.median_time_to_first_solution]
)
def test_each_challenge_program_chart_is_one_query(answered, django_assert_num_queries, function):
    with django_assert_num_queries(1):
        function()


@pytest.mark.parametrize("chart", ["challenges-solved", "time-to-first-solution"])
def test_challenge_program_charts_are_served_to_admins_only(
    answered, client_for, admin_user, mentor, chart
):
    url = f"/api/v1/analytics/program/{chart}/"
    response = client_for(admin_user).get(url)
    assert response.status_code == 200
    assert len(response.json()["labels"]) == analytics.WEEKS_SHOWN
    as_csv = client_for(admin_user).get(url, {"format": "csv"})
    assert as_csv["Content-Type"].startswith("text/csv")
    assert client_for(mentor).get(url).status_code == 403


def test_the_analytics_page_draws_the_challenge_charts_without_a_waiting_note(answered, admin_user):
    from django.test import Client

    client = Client()
    client.force_login(admin_user)
    html = client.get("/journal/analytics/").content.decode()
    assert "Challenges solved ratio" in html
    assert "Median time to first solution" in html
    assert "Coming when their features land" not in html


def test_the_cohort_dashboard_draws_the_topics_chart(cohort_challenges, mentor):
    from django.test import Client

    client = Client()
    client.force_login(mentor)
    html = client.get(f"/journal/cohorts/{cohort_challenges[0].pk}/").content.decode()
    assert "Most asked challenge topics" in html
