"""Two reviewers deciding the same round at the same moment, on PostgreSQL: one wins, the other
gets 409 with the winner's review, and only one decision is stored."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from nexus.accounts.jwt import refresh_token_for
from nexus.mentorship.models import ArticleReview, ReviewRequestStatus
from nexus.mentorship.services import articles as reviews
from tests.mentorship.article_review_fixtures import cohort_with, draft_of, other_mentor

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers; no race to lose"
)


def _decide_together(clients, url, payloads):
    barrier = threading.Barrier(len(clients))
    answers = [None] * len(clients)

    def decide(index):
        barrier.wait()
        answers[index] = clients[index].post(url, payloads[index], format="json")
        connection.close()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_reviewers_at_once_one_wins_the_other_gets_409_with_the_winners_review(
    owner, mentor, attempt
):
    cohort_with(learner=owner, mentors=[mentor])
    second = other_mentor()
    article = draft_of(owner, title=f"Race {attempt}")
    round_ = reviews.review_request(
        actor=owner, article=article, reviewer_ids=[mentor.pk, second.pk]
    )
    url = f"/api/v1/articles/{article.slug}/review-requests/{round_.pk}/decision/"
    clients = []
    for user in (mentor, second):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh_token_for(user).access_token}")
        clients.append(client)

    answers = _decide_together(
        clients,
        url,
        [{"decision": "approved"}, {"decision": "changes_requested", "comment": "Not yet."}],
    )

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [201, 409], [a.json() for a in answers]
    won = next(a for a in answers if a.status_code == 201).json()
    lost = next(a for a in answers if a.status_code == 409).json()
    assert lost["review"]["id"] == won["id"]
    assert ArticleReview.objects.count() == 1
    round_.refresh_from_db()
    article.refresh_from_db()
    expected = {"approved": ("published", ReviewRequestStatus.APPROVED)}.get(
        won["decision"], ("draft", ReviewRequestStatus.CHANGES_REQUESTED)
    )
    assert (article.status, round_.status) == expected
