"""Under real concurrency on PostgreSQL, through the REST API: optimistic locking lets exactly one
of many edits made on one ETag win, and votes are counted exactly.

Each request runs in a thread of its own with its own connection, all released at once by a
barrier; the figures are reported in the run's summary (tests/figures.py).
"""

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection
from rest_framework.test import APIClient

from nexus.accounts.jwt import refresh_token_for
from nexus.challenges import selectors as challenge_selectors
from nexus.challenges.models import ChallengeVote
from nexus.core.conditional import etag_for
from nexus.knowledge.models import Article
from tests import figures
from tests.challenges.conftest import post_challenge
from tests.factories import UserFactory
from tests.knowledge.factories import ensure_taxonomy, make_article

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers; no race to lose"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("many_threads_queue_for_the_pool"),
]

EDITS = 100
VOTERS = 200


def at_once(count: int, request: Callable[[int], int]) -> list[int]:
    """Run request(0..count-1) in `count` threads released together; their status codes."""
    # The first request through the middleware registers django-prometheus's metrics, which is
    # not thread-safe (gunicorn loads the middleware once, before any request): do it here.
    APIClient().get("/healthz")
    barrier = threading.Barrier(count)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=120)
            statuses.append(request(index))
        except BaseException as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert len(statuses) == count
    return statuses


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh_token_for(user).access_token}")
    return client


def test_of_100_concurrent_edits_made_on_one_etag_exactly_one_wins(owner):
    ensure_taxonomy()
    article = make_article(owner)
    etag = etag_for(Article.objects.get(pk=article.pk))
    responses = {}

    def edit(index: int) -> int:
        response = client_for(owner).patch(
            f"/api/v1/articles/{article.slug}/",
            {"body": f"Edit number {index}."},
            format="json",
            headers={"If-Match": etag},
        )
        responses[index] = response
        return response.status_code

    outcome = Counter(at_once(EDITS, edit))
    figures.report(f"concurrent edits: {EDITS} tried, {outcome[200]} won, {outcome[412]} got 412")

    assert outcome == {200: 1, 412: EDITS - 1}
    [winner] = [index for index, response in responses.items() if response.status_code == 200]
    stored = Article.objects.get(pk=article.pk)
    assert (stored.version, stored.body) == (2, f"Edit number {winner}.")
    assert stored.revisions.count() == 2
    # Every loser is told what is stored now, to merge and retry on top of it.
    assert {response["ETag"] for response in responses.values() if response.status_code == 412} == {
        etag_for(stored)
    }


def test_200_concurrent_votes_are_counted_exactly(owner):
    challenge = post_challenge(owner)
    voters = [UserFactory() for _ in range(VOTERS)]
    # Two in three vote up, one in three down.
    values = [-1 if index % 3 == 0 else 1 for index in range(VOTERS)]

    def vote(index: int) -> int:
        response = client_for(voters[index]).post(
            f"/api/v1/challenges/{challenge.pk}/vote/", {"value": values[index]}, format="json"
        )
        return response.status_code

    statuses = at_once(VOTERS, vote)
    ups, downs = values.count(1), values.count(-1)
    challenge.refresh_from_db()
    figures.report(
        f"concurrent votes: {VOTERS} cast, {ups} up and {downs} down, "
        f"score {challenge.score} (exact: {ups - downs})"
    )

    assert statuses == [200] * VOTERS
    assert challenge.score == ups - downs
    assert ChallengeVote.objects.filter(challenge=challenge).count() == VOTERS
    assert challenge_selectors.reputation_of(user=owner) == ups * 5 - downs * 2
