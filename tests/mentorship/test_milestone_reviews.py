"""Milestone reviews: submission rounds, rubric scores, the decision, the thread and its events."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from nexus.core.models import OutboxEvent
from nexus.journal.models import MilestoneProgress
from nexus.mentorship import selectors
from nexus.mentorship.models import MilestoneReview, MilestoneSubmission
from nexus.mentorship.services.milestones import milestone_review, milestone_submit
from nexus.mentorship.services.rubrics import rubric_update
from tests.mentorship.conftest import CRITERIA, GOOD_SCORES

pytestmark = pytest.mark.django_db


def _status(progress):
    return MilestoneProgress.objects.get(pk=progress.pk).status


def test_changes_requested_then_a_resubmission_opens_round_two_and_approval_ends_it(
    progress, learner, mentor
):
    first = milestone_submit(progress=progress, actor=learner, note="Round one")
    sent_back = milestone_review(
        progress=progress,
        reviewer=mentor,
        decision="changes_requested",
        comment="Add tests",
        scores=GOOD_SCORES,
    )
    assert _status(progress) == "in_progress"

    second = milestone_submit(progress=progress, actor=learner, note="With tests")
    approved = milestone_review(
        progress=progress, reviewer=mentor, decision="approved", scores=GOOD_SCORES
    )

    assert (first.round, second.round) == (1, 2)
    assert _status(progress) == "done"
    thread = list(selectors.milestone_thread(progress=progress))
    assert [(s.round, s.note, s.review.decision) for s in thread] == [
        (1, "Round one", "changes_requested"),
        (2, "With tests", "approved"),
    ]
    assert [row.score for row in sent_back.scores.all()] == [3, 2]
    assert approved.rubric_version.number == 1


def test_changing_the_open_round_before_review_keeps_one_round_and_one_announcement(
    progress, learner
):
    milestone_submit(progress=progress, actor=learner, note="first try")
    again = milestone_submit(progress=progress, actor=learner, note="typo fixed")

    assert again.round == 1
    assert MilestoneSubmission.objects.get().note == "typo fixed"
    assert OutboxEvent.objects.filter(name="milestone.submitted").count() == 1


def test_submitting_tells_the_learners_mentors_and_a_review_tells_the_learner(
    progress, learner, mentor
):
    milestone_submit(progress=progress, actor=learner)
    submitted = OutboxEvent.objects.get(name="milestone.submitted")
    assert submitted.payload["recipient_ids"] == [mentor.pk]
    assert submitted.payload["url"] == f"/mentorship/milestones/{progress.pk}/"

    milestone_review(
        progress=progress,
        reviewer=mentor,
        decision="changes_requested",
        comment="More",
        scores=GOOD_SCORES,
    )
    milestone_submit(progress=progress, actor=learner)
    milestone_review(progress=progress, reviewer=mentor, decision="approved", scores=GOOD_SCORES)

    for name in ("milestone.changes_requested", "milestone.reviewed"):
        assert OutboxEvent.objects.get(name=name).payload["recipient_ids"] == [learner.pk]


def test_scores_follow_the_rubrics_current_version_and_keep_it(progress, learner, mentor, rubric):
    milestone_submit(progress=progress, actor=learner)
    rubric_update(actor=mentor, rubric=rubric, criteria=[*CRITERIA, {"name": "Docs", "scale": 2}])

    with pytest.raises(ValidationError) as refused:
        milestone_review(
            progress=progress, reviewer=mentor, decision="approved", scores=GOOD_SCORES
        )
    assert "Docs" in refused.value.message_dict["scores"][0]

    review = milestone_review(
        progress=progress,
        reviewer=mentor,
        decision="approved",
        scores=[*GOOD_SCORES, {"criterion": "Docs", "score": 1}],
    )
    assert review.rubric_version.number == 2


@pytest.mark.parametrize(
    ("decision", "comment", "scores", "field"),
    [
        (
            "approved",
            "",
            [{"criterion": "Correctness", "score": 5}, {"criterion": "Tests", "score": 1}],
            "scores",
        ),
        (
            "approved",
            "",
            [{"criterion": "Correctness", "score": 0}, {"criterion": "Tests", "score": 1}],
            "scores",
        ),
        ("approved", "", [{"criterion": "Correctness", "score": 2}], "scores"),
        ("approved", "", [*GOOD_SCORES, {"criterion": "Style", "score": 1}], "scores"),
        ("changes_requested", "  ", GOOD_SCORES, "comment"),
        ("maybe", "", GOOD_SCORES, "decision"),
    ],
)
def test_bad_reviews_are_field_errors_and_store_nothing(
    progress, learner, mentor, decision, comment, scores, field
):
    milestone_submit(progress=progress, actor=learner)

    with pytest.raises(ValidationError) as refused:
        milestone_review(
            progress=progress, reviewer=mentor, decision=decision, comment=comment, scores=scores
        )

    assert field in refused.value.message_dict
    assert not MilestoneReview.objects.exists()
    assert _status(progress) == "submitted"


def test_only_the_learners_mentors_and_admins_review(
    progress, learner, stranger_mentor, admin_user
):
    milestone_submit(progress=progress, actor=learner)
    for who in (learner, stranger_mentor):
        with pytest.raises(PermissionDenied):
            milestone_review(
                progress=progress, reviewer=who, decision="approved", scores=GOOD_SCORES
            )

    review = milestone_review(
        progress=progress, reviewer=admin_user, decision="approved", scores=GOOD_SCORES
    )
    assert review.reviewer == admin_user


def test_a_second_review_of_the_same_submission_is_a_conflict_carrying_the_first(
    progress, learner, mentor, admin_user
):
    from nexus.mentorship.services.milestones import ReviewConflict

    milestone_submit(progress=progress, actor=learner)
    first = milestone_review(
        progress=progress, reviewer=mentor, decision="approved", scores=GOOD_SCORES
    )

    with pytest.raises(ReviewConflict) as conflict:
        milestone_review(
            progress=progress, reviewer=admin_user, decision="approved", scores=GOOD_SCORES
        )
    assert conflict.value.review.pk == first.pk


def test_a_milestone_without_a_rubric_is_reviewed_without_scores(learner, mentor):
    plain = MilestoneProgress.objects.get(learner=learner, milestone__number=2)
    milestone_submit(progress=plain, actor=learner)

    with pytest.raises(ValidationError) as refused:
        milestone_review(progress=plain, reviewer=mentor, decision="approved", scores=GOOD_SCORES)
    assert "scores" in refused.value.message_dict

    review = milestone_review(progress=plain, reviewer=mentor, decision="approved")
    assert review.rubric_version is None
