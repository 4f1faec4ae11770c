"""The solution, api and feedback evidence providers: a learner's own work in one month only,
shown in the month view and offered as milestone evidence, one query per provider."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from nexus.accounts.models import Team, TeamMembership
from nexus.journal import analytics, evidence
from tests.factories import UserFactory
from tests.journal.helpers_plus import api, at, challenge, feedback, solution

MARCH = (date(2026, 3, 1), date(2026, 4, 1))


def kinds(items, kind):
    return [item.title for item in items if item.kind == kind]


@pytest.fixture
def someone(db):
    return UserFactory()


def test_all_four_providers_are_registered():
    assert [p.kind for p in evidence.providers()] == ["api", "article", "feedback", "solution"]


def test_solution_evidence_is_the_learners_solutions_accepted_in_the_month(owner, someone):
    asked = challenge(someone, posted=at(2026, 2, 20), title="Accepted in March")
    solution(asked, owner, posted=at(2026, 2, 25), accepted_at=at(2026, 3, 2))
    early = challenge(someone, posted=at(2026, 2, 1), title="Accepted in February")
    solution(early, owner, posted=at(2026, 2, 2), accepted_at=at(2026, 2, 28, 23))
    late = challenge(someone, posted=at(2026, 3, 1), title="Accepted in April")
    solution(late, owner, posted=at(2026, 3, 3), accepted_at=at(2026, 4, 1, 0))
    pending = challenge(someone, posted=at(2026, 3, 4), title="Not accepted")
    solution(pending, owner, posted=at(2026, 3, 5))
    theirs = challenge(owner, posted=at(2026, 3, 4), title="Someone else solved mine")
    solution(theirs, someone, posted=at(2026, 3, 5), accepted_at=at(2026, 3, 6))

    items = evidence.gather(owner, *MARCH)
    assert kinds(items, "solution") == ["Accepted in March"]
    [item] = [item for item in items if item.kind == "solution"]
    assert item.occurred_on == date(2026, 3, 2)
    assert item.url == f"/challenges/{asked.pk}/"
    assert kinds(evidence.gather(someone, *MARCH), "solution") == ["Someone else solved mine"]


def test_api_evidence_is_what_the_learner_or_their_teams_registered_in_the_month(owner, someone):
    team = Team.objects.create(slug="jp-team", name="JP team")
    TeamMembership.objects.create(team=team, user=owner)
    api(owner, created=at(2026, 3, 10), name="Mine in March")
    api(someone, created=at(2026, 3, 11), name="Team API in March", team=team)
    api(owner, created=at(2026, 2, 27), name="Mine in February")
    api(owner, created=at(2026, 4, 1, 1), name="Mine in April")
    api(owner, created=at(2026, 3, 12), name="Archived", archived=True)
    api(someone, created=at(2026, 3, 13), name="Not mine")

    items = evidence.gather(owner, *MARCH)
    assert kinds(items, "api") == ["Mine in March", "Team API in March"]
    assert [i.url for i in items if i.kind == "api"] == [
        "/apis/mine-in-march/",
        "/apis/team-api-in-march/",
    ]
    assert kinds(evidence.gather(someone, *MARCH), "api") == ["Team API in March", "Not mine"]


def test_feedback_evidence_is_the_feedback_the_learner_gave_in_the_month(owner, someone):
    target = api(someone, created=at(2026, 1, 1), name="Orders")
    feedback(owner, target, created=at(2026, 3, 3), key="GET /orders")
    feedback(owner, target, created=at(2026, 3, 30), key="POST /orders")
    feedback(owner, target, created=at(2026, 2, 3), key="GET /orders/{id}")
    feedback(owner, target, created=at(2026, 4, 3), key="DELETE /orders/{id}")
    feedback(someone, target, created=at(2026, 3, 3), key="PUT /orders/{id}")

    items = [item for item in evidence.gather(owner, *MARCH) if item.kind == "feedback"]
    assert [item.title for item in items] == ["Orders: GET /orders", "Orders: POST /orders"]
    assert len({item.url for item in items}) == 2  # unique: milestone choices are keyed by URL
    assert all(item.url.startswith("/apis/orders/#feedback-") for item in items)


def test_each_provider_is_one_query(owner, someone, django_assert_num_queries):
    target = api(owner, created=at(2026, 3, 1), name="Counted")
    feedback(owner, target, created=at(2026, 3, 3), key="GET /a")
    asked = challenge(someone, posted=at(2026, 3, 1))
    solution(asked, owner, posted=at(2026, 3, 2), accepted_at=at(2026, 3, 3))
    for provider in evidence.providers():
        with django_assert_num_queries(1):
            provider.items(owner, *MARCH)
        with django_assert_num_queries(1):
            provider.weekly_counts([owner.pk], MARCH[0])
        with django_assert_num_queries(1):
            provider.weekly_counts(None, MARCH[0])


def test_weekly_counts_match_a_plain_python_count(owner, someone):
    today = timezone.localdate()
    since, _ = analytics.window(today)
    now = timezone.now()
    team = Team.objects.create(slug="jp-weekly", name="Weekly")
    TeamMembership.objects.create(team=team, user=owner)
    stamps = [now - timedelta(days=d) for d in (0, 1, 8, 15, 15, 40)]
    expected: dict[str, Counter] = {"api": Counter(), "feedback": Counter(), "solution": Counter()}
    target = api(someone, created=now - timedelta(days=400), name="Target")
    for index, stamp in enumerate(stamps):
        week = stamp.date() - timedelta(days=stamp.date().weekday())
        api(someone if index % 2 else owner, created=stamp, name=f"W {index}", team=team)
        feedback(owner, target, created=stamp, key=f"GET /w/{index}")
        asked = challenge(someone, posted=stamp - timedelta(days=1))
        solution(asked, owner, posted=stamp - timedelta(hours=1), accepted_at=stamp)
        for kind in expected:
            expected[kind][week] += 1
    # Other people's work never counts.
    api(someone, created=now, name="Not theirs")
    feedback(someone, target, created=now, key="GET /other")
    for provider in evidence.providers():
        if provider.kind in expected:
            counts = provider.weekly_counts([owner.pk], since)
            assert counts == {w: n for w, n in expected[provider.kind].items() if w >= since}


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_month_view_lists_the_new_evidence_without_a_waiting_note(owner, someone):
    now = timezone.now()
    target = api(owner, created=now, name="Shown API")
    feedback(owner, target, created=now, key="GET /shown")
    asked = challenge(someone, posted=now - timedelta(hours=2), title="Shown challenge")
    solution(asked, owner, posted=now - timedelta(hours=1), accepted_at=now)
    response = logged_in(owner).get("/journal/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Shown API", "Shown API: GET /shown", "Shown challenge"):
        assert text in html
    assert "Coming when their features land" not in html


def test_evidence_api_returns_every_kind(client_for, owner, someone):
    now = timezone.now()
    target = api(owner, created=now, name="Listed API")
    feedback(owner, target, created=now, key="GET /listed")
    asked = challenge(someone, posted=now - timedelta(hours=2), title="Listed challenge")
    solution(asked, owner, posted=now - timedelta(hours=1), accepted_at=now)
    body = client_for(owner).get("/api/v1/journal/evidence/").json()
    assert sorted(item["kind"] for item in body["results"]) == ["api", "feedback", "solution"]
    assert "awaiting" not in body


def test_milestones_offer_the_new_evidence(learner, someone):
    now = timezone.now()
    api(learner, created=now, name="Offered API")
    asked = challenge(someone, posted=now - timedelta(hours=2), title="Offered challenge")
    solution(asked, learner, posted=now - timedelta(hours=1), accepted_at=now)
    response = logged_in(learner).get("/journal/milestones/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Offered API" in html
    assert "Offered challenge" in html


def test_gathering_a_month_is_one_query_per_provider(owner, someone, django_assert_num_queries):
    target = api(owner, created=at(2026, 3, 1), name="Gathered")
    for index in range(3):
        feedback(owner, target, created=at(2026, 3, 3 + index), key=f"GET /g/{index}")
        asked = challenge(someone, posted=at(2026, 3, 1))
        solution(asked, owner, posted=at(2026, 3, 2), accepted_at=at(2026, 3, 3 + index))
    with django_assert_num_queries(len(evidence.providers())):
        evidence.gather(owner, *MARCH)


def test_the_month_page_query_count_does_not_grow_with_evidence(owner, someone):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in(owner)
    now = timezone.now()

    made = Counter()

    def add(n):
        for _ in range(n):
            made["api"] += 1
            index = made["api"]
            target = api(owner, created=now, name=f"Grow {index}")
            feedback(owner, target, created=now, key=f"GET /grow/{index}")
            asked = challenge(someone, posted=now - timedelta(hours=2))
            solution(asked, owner, posted=now - timedelta(hours=1), accepted_at=now)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/journal/").status_code == 200
        return len(captured)

    add(1)
    few = queries()
    add(4)
    assert queries() == few
