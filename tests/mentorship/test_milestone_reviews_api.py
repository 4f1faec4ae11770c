"""The milestone review REST API: submit, review (with the legacy body), thread; who may; bad
input; the 409 race; query bounds."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.journal.models import MilestoneProgress
from nexus.mentorship.models import MilestoneReview, MilestoneScore, MilestoneSubmission
from nexus.mentorship.services.milestones import milestone_review, milestone_submit
from tests.mentorship.conftest import GOOD_SCORES

pytestmark = pytest.mark.django_db
MILESTONES = "/api/v1/milestones/"


def _submitted(progress, learner):
    milestone_submit(progress=progress, actor=learner, note="Please look")
    return progress


def test_the_learner_submits_then_their_mentor_scores_and_asks_for_changes(
    client_for, progress, learner, mentor
):
    submitted = client_for(learner).post(
        f"{MILESTONES}{progress.pk}/submit/",
        {"note": "Done", "repository_url": "https://git.example.com/me/api"},
        format="json",
    )
    assert submitted.status_code == 201, submitted.json()
    assert submitted.json()["round"] == 1

    reviewed = client_for(mentor).post(
        f"{MILESTONES}{progress.pk}/review/",
        {"decision": "changes_requested", "comment": "Add **tests**", "scores": GOOD_SCORES},
        format="json",
    )

    assert reviewed.status_code == 200, reviewed.json()
    body = reviewed.json()
    assert body["status"] == "in_progress"
    review = body["review"]
    assert review["decision"] == "changes_requested"
    assert review["rubric"]["version"] == 1
    assert [(s["criterion"], s["score"]) for s in review["scores"]] == [
        ("Correctness", 3),
        ("Tests", 2),
    ]
    assert "<strong>tests</strong>" in review["comment_html"]


def test_the_thread_lists_every_round_with_its_review(client_for, progress, learner, mentor):
    milestone_submit(progress=progress, actor=learner, note="one")
    milestone_review(
        progress=progress,
        reviewer=mentor,
        decision="changes_requested",
        comment="x",
        scores=GOOD_SCORES,
    )
    milestone_submit(progress=progress, actor=learner, note="two")

    thread = client_for(learner).get(f"{MILESTONES}{progress.pk}/thread/").json()

    assert thread["rubric"]["name"] == "Milestone rubric"
    assert [(r["round"], r["note"]) for r in thread["results"]] == [(1, "one"), (2, "two")]
    assert thread["results"][0]["review"]["scores"][0]["criterion"] == "Correctness"
    assert thread["results"][1]["review"] is None


def test_the_legacy_review_body_still_works(client_for, progress, learner, mentor):
    _submitted(progress, learner)
    response = client_for(mentor).post(
        f"{MILESTONES}{progress.pk}/review/",
        {"approve": True, "scores": GOOD_SCORES},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "done"


def test_an_out_of_scale_score_names_the_criterion_and_its_scale(
    client_for, progress, learner, mentor
):
    _submitted(progress, learner)
    scores = [{"criterion": "Correctness", "score": 5}, {"criterion": "Tests", "score": 1}]
    response = client_for(mentor).post(
        f"{MILESTONES}{progress.pk}/review/",
        {"decision": "approved", "scores": scores},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "scores",
            "code": "out_of_scale",
            "message": "'Correctness': choose a score from 1 to 4.",
        }
    ]


def test_patching_status_submitted_opens_a_round_too(client_for, progress, learner):
    response = client_for(learner).patch(
        f"{MILESTONES}{progress.pk}/", {"status": "submitted", "note": "via patch"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert MilestoneSubmission.objects.get(progress=progress).note == "via patch"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "decision": "approved",
                "scores": [
                    {"criterion": "Correctness", "score": 9},
                    {"criterion": "Tests", "score": 1},
                ],
            },
            "scores",
        ),
        (
            {"decision": "approved", "scores": [{"criterion": "Correctness", "score": "high"}]},
            "scores.0.score",
        ),
        ({"decision": "approved", "scores": ["Correctness"]}, "scores.0.non_field_errors"),
        (
            {"decision": "approved", "scores": [{"criterion": "Tests", "score": 1, "extra": 1}]},
            "scores.0.extra",
        ),
        ({"decision": "changes_requested", "scores": GOOD_SCORES}, "comment"),
        ({"decision": "later"}, "decision"),
        ({"scores": GOOD_SCORES}, "decision"),
    ],
)
def test_bad_reviews_are_400_with_field_errors_and_store_nothing(
    client_for, progress, learner, mentor, body, field
):
    _submitted(progress, learner)
    response = client_for(mentor).post(f"{MILESTONES}{progress.pk}/review/", body, format="json")

    assert response.status_code == 400, response.json()
    assert response["Content-Type"].startswith("application/problem+json")
    fields = {error["field"] for error in response.json()["errors"]}
    assert any(f == field or f.startswith(field.split(".non_field_errors")[0]) for f in fields), (
        fields
    )
    assert not MilestoneReview.objects.exists()
    assert not MilestoneScore.objects.exists()
    assert MilestoneProgress.objects.get(pk=progress.pk).status == "submitted"


@pytest.mark.parametrize(
    ("who", "submits", "reviews", "reads"),
    [
        ("anonymous", 401, 401, 401),
        ("other_user", 404, 404, 404),
        ("learner", 201, 403, 200),
        ("stranger_mentor", 403, 403, 403),
        ("mentor", 403, 200, 200),
        ("admin_user", 403, 200, 200),
    ],
)
def test_permission_matrix(
    request, api_client, client_for, progress, learner, who, submits, reviews, reads
):
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    base = f"{MILESTONES}{progress.pk}"

    assert client.post(f"{base}/submit/", {}, format="json").status_code == submits
    if submits != 201:
        _submitted(progress, learner)
    review = client.post(
        f"{base}/review/", {"decision": "approved", "scores": GOOD_SCORES}, format="json"
    )
    assert review.status_code == reviews
    assert client.get(f"{base}/thread/").status_code == reads


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers; no race to lose"
)
def test_two_mentors_reviewing_at_once_one_wins_the_other_gets_409_with_the_winners_review(
    client_for, progress, learner, mentor, admin_user
):
    _submitted(progress, learner)
    start = threading.Barrier(2)
    answers = {}

    def review_as(user, decision, comment):
        client = client_for(user)
        start.wait()
        try:
            answers[user.pk] = client.post(
                f"{MILESTONES}{progress.pk}/review/",
                {"decision": decision, "comment": comment, "scores": GOOD_SCORES},
                format="json",
            )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=review_as, args=(mentor, "approved", "")),
        threading.Thread(target=review_as, args=(admin_user, "changes_requested", "Redo it")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    codes = sorted(answer.status_code for answer in answers.values())
    assert codes == [200, 409], codes
    winner = MilestoneReview.objects.get()
    [lost] = [answer for answer in answers.values() if answer.status_code == 409]
    body = lost.json()
    assert lost["Content-Type"].startswith("application/problem+json")
    assert body["code"] == "review_conflict"
    assert body["review"]["id"] == winner.pk
    assert body["review"]["reviewer"]["id"] == winner.reviewer_id
    assert len(body["review"]["scores"]) == 2
    print(f"\nrace: winner={winner.reviewer_id} decision={winner.decision} codes={codes}")


@pytest.mark.parametrize("rounds", [1, 4])
def test_reading_the_thread_takes_the_same_queries_however_long(
    client_for, progress, learner, mentor, rounds
):
    for _ in range(rounds):
        milestone_submit(progress=progress, actor=learner)
        milestone_review(
            progress=progress,
            reviewer=mentor,
            decision="changes_requested",
            comment="x",
            scores=GOOD_SCORES,
        )
    client = client_for(learner)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{MILESTONES}{progress.pk}/thread/").status_code == 200
    print(f"\nthread of {rounds} rounds: {len(queries)} queries")
    assert len(queries) <= 12
