"""Votes and acceptance, and the reputation points they earn.

Reputation (documented in docs/challenges.md): an upvote on a solution earns its author
+10, on a challenge +5; a downvote costs the author 2; an accepted solution earns its author
+15 (not when the challenge's author accepts their own answer). Points are rows in
ReputationEntry, changed in the same transaction as the vote or acceptance they come from.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F

from nexus.accounts.models import User
from nexus.challenges import policies
from nexus.challenges.models import (
    Challenge,
    ChallengeStatus,
    ChallengeVote,
    ReputationEntry,
    ReputationReason,
    Solution,
    SolutionVote,
)
from nexus.challenges.services.common import (
    POINTS_ACCEPTED,
    POINTS_CHALLENGE_UPVOTE,
    POINTS_DOWNVOTE,
    POINTS_SOLUTION_UPVOTE,
    VOTE_VALUES,
    _event_payload,
)
from nexus.core import clock, events

CANNOT_VOTE = "You may not vote on this post (nobody votes on their own)."
CANNOT_ACCEPT = "Only the challenge's author or a mentor picks the accepted solution."


# --- Votes ----------------------------------------------------------------------------------
def _check_value(value: int) -> None:
    if value not in VOTE_VALUES:
        raise ValidationError({"value": ["Vote 1 (up), -1 (down) or 0 (take the vote back)."]})


def _apply_vote[V: (ChallengeVote, SolutionVote)](
    *,
    votes: models.QuerySet[V],
    create: Callable[[int], V],
    value: int,
    reason: str,
    up_points: int,
    author_id: int,
    challenge_id: int,
) -> int:
    """Write the voter's row and the author's points; returns the change to the item's score."""
    existing = votes.first()
    old = existing.value if existing else 0
    if value == old:
        return 0
    if existing is not None and value == 0:
        ReputationEntry.objects.filter(reason=reason, source_id=existing.pk).delete()
        existing.delete()
        return -old
    if existing is None:
        existing = create(value)
    else:
        existing.value = value
        existing.save(update_fields=["value", "updated_at"])
    ReputationEntry.objects.update_or_create(
        reason=reason,
        source_id=existing.pk,
        defaults={
            "user_id": author_id,
            "challenge_id": challenge_id,
            "points": up_points if value > 0 else POINTS_DOWNVOTE,
        },
    )
    return value - old


@transaction.atomic
def challenge_vote(*, challenge: Challenge, user: User, value: int) -> Challenge:
    """Vote a challenge up (1), down (-1) or take the vote back (0); repeating a vote is a no-op."""
    if not policies.can_vote(user, challenge):
        raise PermissionDenied(CANNOT_VOTE)
    _check_value(value)
    # The row lock makes concurrent votes on one challenge queue up, so none is lost.
    locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
    delta = _apply_vote(
        votes=ChallengeVote.objects.filter(challenge=locked, user=user),
        create=lambda v: ChallengeVote.objects.create(challenge=locked, user=user, value=v),
        value=value,
        reason=ReputationReason.CHALLENGE_VOTE,
        up_points=POINTS_CHALLENGE_UPVOTE,
        author_id=locked.author_id,
        challenge_id=locked.pk,
    )
    if delta:
        Challenge.objects.filter(pk=locked.pk).update(score=F("score") + delta)
    locked.refresh_from_db(fields=["score"])
    return locked


@transaction.atomic
def solution_vote(*, solution: Solution, user: User, value: int) -> Solution:
    """Vote a solution up (1), down (-1) or take the vote back (0); repeating is a no-op."""
    if not policies.can_vote(user, solution):
        raise PermissionDenied(CANNOT_VOTE)
    _check_value(value)
    locked = Solution.objects.select_for_update().get(pk=solution.pk)
    delta = _apply_vote(
        votes=SolutionVote.objects.filter(solution=locked, user=user),
        create=lambda v: SolutionVote.objects.create(solution=locked, user=user, value=v),
        value=value,
        reason=ReputationReason.SOLUTION_VOTE,
        up_points=POINTS_SOLUTION_UPVOTE,
        author_id=locked.author_id,
        challenge_id=locked.challenge_id,
    )
    if delta:
        Solution.objects.filter(pk=locked.pk).update(score=F("score") + delta)
    locked.refresh_from_db(fields=["score"])
    return locked


# --- Acceptance -----------------------------------------------------------------------------
@transaction.atomic
def solution_accept(*, challenge: Challenge, solution: Solution, actor: User) -> Challenge:
    """Make `solution` the accepted answer of `challenge` (replacing any other); marks it solved."""
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if not policies.can_accept(actor, challenge):
        raise PermissionDenied(CANNOT_ACCEPT)
    if solution.challenge_id != challenge.pk:
        raise ValidationError({"solution": ["That solution answers a different challenge."]})
    if challenge.status == ChallengeStatus.DUPLICATE:
        raise ValidationError(
            {"solution": ["This challenge is a duplicate: accept on the original one."]}
        )
    if challenge.accepted_solution_id == solution.pk:
        return challenge
    ReputationEntry.objects.filter(
        reason=ReputationReason.ACCEPTED, source_id=challenge.accepted_solution_id or 0
    ).delete()
    challenge.accepted_solution = solution
    challenge.status = ChallengeStatus.SOLVED
    challenge.solved_at = clock.now()
    challenge.save(update_fields=["accepted_solution", "status", "solved_at", "updated_at"])
    if solution.author_id != challenge.author_id:
        ReputationEntry.objects.create(
            user_id=solution.author_id,
            challenge=challenge,
            reason=ReputationReason.ACCEPTED,
            source_id=solution.pk,
            points=POINTS_ACCEPTED,
        )
    events.publish(
        "solution.accepted",
        subject=solution,
        actor=actor,
        payload=_event_payload(
            challenge,
            url=solution.get_absolute_url(),
            challenge_id=challenge.pk,
            recipient_ids=[solution.author_id],
            follow_targets=[["challenges.challenge", str(challenge.pk)]],
        ),
    )
    return challenge


@transaction.atomic
def solution_unaccept(*, challenge: Challenge, actor: User) -> Challenge:
    """Take back the accepted answer; the challenge is open again."""
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if not policies.can_accept(actor, challenge):
        raise PermissionDenied(CANNOT_ACCEPT)
    if challenge.accepted_solution_id is None:
        return challenge
    ReputationEntry.objects.filter(
        reason=ReputationReason.ACCEPTED, source_id=challenge.accepted_solution_id
    ).delete()
    challenge.accepted_solution = None
    challenge.solved_at = None
    if challenge.status == ChallengeStatus.SOLVED:
        challenge.status = ChallengeStatus.OPEN
    challenge.save(update_fields=["accepted_solution", "status", "solved_at", "updated_at"])
    return challenge
