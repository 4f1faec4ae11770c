"""Milestone reviews: learners submit rounds of work, their mentors score them against the
milestone's rubric and approve or ask for changes. The journal keeps the milestone's status; every
change to it goes through the journal's services."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from nexus.accounts.models import User
from nexus.core import clock, events
from nexus.core.markdown import render_markdown
from nexus.journal import selectors as journal_selectors
from nexus.journal import services as journal_services
from nexus.journal.models import Milestone, MilestoneProgress, MilestoneStatus
from nexus.mentorship import policies, selectors
from nexus.mentorship.models import (
    Decision,
    MilestoneReview,
    MilestoneRubric,
    MilestoneScore,
    MilestoneSubmission,
    Rubric,
)
from nexus.mentorship.services.rubrics import scores_clean


class ReviewConflict(Exception):
    """Someone else reviewed this submission first; `review` is theirs."""

    def __init__(self, review: MilestoneReview) -> None:
        super().__init__("This submission has just been reviewed by someone else.")
        self.review = review


def thread_url(progress: MilestoneProgress) -> str:
    return reverse("mentorship:milestone_thread", args=[progress.pk])


@transaction.atomic
def milestone_rubric_set(
    *, actor: User, milestone: Milestone, rubric: Rubric | None
) -> MilestoneRubric | None:
    """Attach a rubric to a milestone (replacing the one it had), or detach it with None."""
    if not policies.can_set_milestone_rubric(actor):
        raise PermissionDenied("Only mentors and admins choose a milestone's rubric.")
    if rubric is None:
        MilestoneRubric.objects.filter(milestone=milestone).delete()
        return None
    if rubric.archived_at is not None:
        raise ValidationError({"rubric": ["This rubric is archived."]}, code="archived")
    link, _ = MilestoneRubric.objects.update_or_create(
        milestone=milestone, defaults={"rubric": rubric, "set_by": actor}
    )
    return link


def _snapshot(progress: MilestoneProgress) -> dict[str, object]:
    return {
        "note": progress.note,
        "repository_url": progress.repository_url,
        "deployed_url": progress.deployed_url,
        "evidence": progress.evidence,
        "submitted_at": progress.submitted_at or clock.now(),
    }


def _lock(progress: MilestoneProgress) -> MilestoneProgress:
    # Both a learner's double submit and two mentors' reviews queue here, one after the other.
    return (
        MilestoneProgress.objects.select_related("learner", "milestone")
        .select_for_update(of=("self",))
        .get(pk=progress.pk)
    )


@transaction.atomic
def milestone_submit(
    *,
    progress: MilestoneProgress,
    actor: User,
    note: str | None = None,
    repository_url: str | None = None,
    deployed_url: str | None = None,
    evidence: Sequence[dict[str, str]] | None = None,
) -> MilestoneSubmission:
    """Submit a milestone for review: a new round, or (still waiting) a change to the open one."""
    if not policies.can_submit_milestone(actor, progress):
        raise PermissionDenied("Only the learner submits their milestone.")
    locked = _lock(progress)
    was_waiting = locked.status == MilestoneStatus.SUBMITTED
    locked = journal_services.progress_update(
        progress=locked,
        actor=actor,
        status=MilestoneStatus.SUBMITTED,
        note=note,
        repository_url=repository_url,
        deployed_url=deployed_url,
        evidence=evidence,
    )
    latest = selectors.latest_submission(progress=locked)
    if was_waiting and latest is not None and not selectors.is_reviewed(latest):
        for field, value in _snapshot(locked).items():
            setattr(latest, field, value)
        latest.save()
        return latest
    submission = MilestoneSubmission.objects.create(
        progress=locked, round=latest.round + 1 if latest else 1, **_snapshot(locked)
    )
    learner = locked.learner
    mentors = journal_selectors.mentors_of(learner=learner).exclude(pk=learner.pk)
    events.publish(
        "milestone.submitted",
        subject=submission,
        actor=actor,
        payload={
            "recipient_ids": list(mentors.values_list("pk", flat=True)),
            "title": f"{learner.display_name} submitted {locked.milestone} "
            f"(round {submission.round})",
            "url": thread_url(locked),
            "progress": locked.pk,
            "round": submission.round,
        },
    )
    return submission


def _open_submission(progress: MilestoneProgress) -> MilestoneSubmission:
    """The submission a review answers; a milestone submitted before threads existed gets its
    first round here, from what the journal holds."""
    latest = selectors.latest_submission(progress=progress)
    if latest is not None and selectors.is_reviewed(latest):
        raise ReviewConflict(latest.review)
    if progress.status != MilestoneStatus.SUBMITTED:
        raise ValidationError({"status": ["Only a submitted milestone can be reviewed."]}, "state")
    if latest is None:
        latest = MilestoneSubmission.objects.create(
            progress=progress, round=1, **_snapshot(progress)
        )
    return latest


@transaction.atomic
def milestone_review(
    *,
    progress: MilestoneProgress,
    reviewer: User,
    decision: str,
    comment: str = "",
    scores: Sequence[object] = (),
) -> MilestoneReview:
    """Review the open submission: scored against the rubric's current version, approved (the
    milestone is done) or sent back for changes (a comment says what). A second reviewer of the
    same submission gets ReviewConflict with the first one's review."""
    if not policies.can_review_milestone(reviewer, progress):
        raise PermissionDenied("Only the learner's mentors and admins review their milestones.")
    if decision not in Decision.values:
        raise ValidationError(
            {"decision": ["Choose approved or changes_requested."]}, code="invalid_choice"
        )
    comment = comment.strip()
    if decision == Decision.CHANGES_REQUESTED and not comment:
        raise ValidationError({"comment": ["Say what to change."]}, code="required")
    locked = _lock(progress)
    submission = _open_submission(locked)
    version = selectors.milestone_rubric_version(milestone=locked.milestone)
    clean = scores_clean(version=version, scores=list(scores)) if version else []
    if version is None and scores:
        raise ValidationError({"scores": ["This milestone has no rubric to score."]}, "no_rubric")
    journal_services.progress_review(
        progress=locked,
        reviewer=reviewer,
        approve=decision == Decision.APPROVED,
        comment=comment,
    )
    try:
        with transaction.atomic():
            review = MilestoneReview.objects.create(
                submission=submission,
                reviewer=reviewer,
                rubric_version=version,
                decision=decision,
                comment=comment,
                comment_html=render_markdown(comment).html if comment else "",
            )
    except IntegrityError:
        # Only reachable if a review slipped past the lock (a submission made outside it).
        raise ReviewConflict(MilestoneReview.objects.get(submission=submission)) from None
    MilestoneScore.objects.bulk_create(MilestoneScore(review=review, **row) for row in clean)
    _announce(review, locked, reviewer)
    return review


def _announce(review: MilestoneReview, progress: MilestoneProgress, reviewer: User) -> None:
    approved = review.decision == Decision.APPROVED
    verdict = "approved" if approved else "needs changes"
    events.publish(
        "milestone.reviewed" if approved else "milestone.changes_requested",
        subject=review,
        actor=reviewer,
        payload={
            "recipient_ids": [progress.learner_id],
            "title": f"{progress.milestone} {verdict} ({reviewer.display_name})",
            "url": thread_url(progress),
            "progress": progress.pk,
            "decision": review.decision,
        },
    )
