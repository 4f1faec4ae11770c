"""Every write to challenges: posting, answering, voting, accepting, duplicates, comments.

Reputation (documented in docs/challenges.md): an upvote on a solution earns its author
+10, on a challenge +5; a downvote costs the author 2; an accepted solution earns its author
+15 (not when the challenge's author accepts their own answer). Points are rows in
ReputationEntry, changed in the same transaction as the vote or acceptance they come from.
"""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from nexus.accounts.models import User
from nexus.challenges import policies, taxonomy
from nexus.challenges.models import (
    BODY_MAX_CHARS,
    Challenge,
    ChallengeStatus,
    ChallengeTerm,
    ChallengeVote,
    Comment,
    ReputationEntry,
    ReputationReason,
    Solution,
    SolutionVote,
)
from nexus.challenges.rendering import render_body
from nexus.challenges.similarity import title_terms
from nexus.core import events

TITLE_MAX_LENGTH = 200
TITLE_MIN_LENGTH = 8
BODY_MAX_BYTES = 512 * 1024
COMMENT_MAX_CHARS = 20_000
DUPLICATE_CHAIN_LIMIT = 100

POINTS_CHALLENGE_UPVOTE = 5
POINTS_SOLUTION_UPVOTE = 10
POINTS_DOWNVOTE = -2
POINTS_ACCEPTED = 15
VOTE_VALUES = (1, -1, 0)


# --- Validation helpers ---------------------------------------------------------------------
def _check_body(body: str, errors: dict[str, list[str]], field: str = "body") -> str:
    # Browsers send CRLF; storing LF keeps bodies comparable whichever door they came through.
    body = body.replace("\r\n", "\n").strip()
    if not body:
        errors[field] = ["Describe it: this field cannot be empty."]
    elif len(body.encode("utf-8", "surrogatepass")) > BODY_MAX_BYTES or len(body) > BODY_MAX_CHARS:
        errors[field] = [f"Keep it under {BODY_MAX_BYTES // 1024} KiB."]
    return body


def _check_title(title: str, errors: dict[str, list[str]]) -> str:
    title = " ".join(title.split())
    if len(title) < TITLE_MIN_LENGTH:
        errors["title"] = [f"Use at least {TITLE_MIN_LENGTH} characters to say what went wrong."]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [f"Keep the title under {TITLE_MAX_LENGTH} characters."]
    return title


def _taxonomy(
    technologies: Sequence[str], tags: Sequence[str], errors: dict[str, list[str]]
) -> tuple[list[Any], list[str]]:
    techs, unknown = taxonomy.technologies_by_slug(technologies)
    if unknown:
        errors["technologies"] = [f"Unknown technology: {', '.join(unknown)}."]
    elif len(techs) > taxonomy.MAX_TECHNOLOGIES:
        errors["technologies"] = [f"Choose at most {taxonomy.MAX_TECHNOLOGIES} technologies."]
    names, tag_error = taxonomy.normalise_tags(tags)
    if tag_error:
        errors["tags"] = [tag_error]
    return techs, names


def _index_title(challenge: Challenge) -> None:
    ChallengeTerm.objects.filter(challenge=challenge).delete()
    ChallengeTerm.objects.bulk_create(
        [ChallengeTerm(challenge=challenge, term=term) for term in title_terms(challenge.title)]
    )


def _event_payload(challenge: Challenge, **extra: Any) -> dict[str, Any]:
    return {"title": challenge.title, "url": challenge.get_absolute_url(), **extra}


# --- Challenges -----------------------------------------------------------------------------
@transaction.atomic
def challenge_create(
    *,
    author: User,
    title: str,
    body: str,
    technologies: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> Challenge:
    """Post a challenge; its author follows it from then on."""
    if not policies.can_create_challenge(author):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    title = _check_title(title, errors)
    body = _check_body(body, errors)
    techs, tag_names = _taxonomy(technologies, tags, errors)
    if errors:
        raise ValidationError(errors)
    challenge = Challenge.objects.create(
        title=title, body=body, body_html=render_body(body), author=author
    )
    challenge.technologies.set(techs)
    challenge.tags.set(taxonomy.tags_ensure(tag_names))
    _index_title(challenge)
    events.publish(
        "challenge.created",
        subject=challenge,
        actor=author,
        payload=_event_payload(
            challenge,
            author_id=author.pk,
            technologies=[t.slug for t in techs],
            tags=tag_names,
            follow_targets=[
                *(["knowledge.technology", t.slug] for t in techs),
                *(["challenges.tag", name] for name in tag_names),
            ],
        ),
    )
    return challenge


@transaction.atomic
def challenge_update(
    *,
    challenge: Challenge,
    actor: User,
    title: str | None = None,
    body: str | None = None,
    technologies: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
) -> Challenge:
    """Edit a challenge's text or taxonomy (its author, or a mentor/admin)."""
    if not policies.can_edit_challenge(actor, challenge):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    new_title = _check_title(title, errors) if title is not None else challenge.title
    new_body = _check_body(body, errors) if body is not None else challenge.body
    techs, tag_names = _taxonomy(technologies or (), tags or (), errors)
    if errors:
        raise ValidationError(errors)
    if new_body != challenge.body:
        challenge.body, challenge.body_html = new_body, render_body(new_body)
    title_changed = new_title != challenge.title
    challenge.title = new_title
    challenge.save(update_fields=["title", "body", "body_html", "updated_at"])
    if technologies is not None:
        challenge.technologies.set(techs)
    if tags is not None:
        challenge.tags.set(taxonomy.tags_ensure(tag_names))
    if title_changed:
        _index_title(challenge)
    return challenge


def _duplicate_errors(challenge: Challenge, target: Challenge | None) -> dict[str, list[str]]:
    if target is None:
        return {"duplicate_of": ["Name the challenge this one duplicates."]}
    if target.pk == challenge.pk:
        return {"duplicate_of": ["A challenge cannot be a duplicate of itself."]}
    # Follow the chain in the database (the objects passed in may be stale) to refuse a cycle.
    cursor: int = target.pk
    for _hop in range(DUPLICATE_CHAIN_LIMIT):
        following = Challenge.objects.filter(pk=cursor).values_list("duplicate_of", flat=True)
        next_id = following.first()
        if next_id is None:
            return {}
        cursor = next_id
        if cursor == challenge.pk:
            return {"duplicate_of": ["That challenge is already a duplicate of this one."]}
    return {"duplicate_of": ["That chain of duplicates is too long."]}


@transaction.atomic
def challenge_set_status(
    *,
    challenge: Challenge,
    actor: User,
    status: str,
    duplicate_of: Challenge | None = None,
) -> Challenge:
    """Close, reopen, or mark a duplicate (mentors/admins); "solved" comes from accepting."""
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if status == ChallengeStatus.DUPLICATE:
        if not policies.can_mark_duplicate(actor, challenge):
            raise PermissionDenied
        if errors := _duplicate_errors(challenge, duplicate_of):
            raise ValidationError(errors)
        challenge.duplicate_of = duplicate_of
    elif status in (ChallengeStatus.OPEN, ChallengeStatus.CLOSED):
        if not policies.can_close_challenge(actor, challenge):
            raise PermissionDenied
        if challenge.status == ChallengeStatus.DUPLICATE and not policies.can_mark_duplicate(
            actor, challenge
        ):
            raise PermissionDenied
        challenge.duplicate_of = None
        if status == ChallengeStatus.OPEN and challenge.accepted_solution_id is not None:
            status = ChallengeStatus.SOLVED
    else:
        raise ValidationError(
            {"status": ["Choose open, closed or duplicate; accept a solution to solve it."]}
        )
    previous = challenge.status
    challenge.status = status
    challenge.save(update_fields=["status", "duplicate_of", "updated_at"])
    if previous != status:
        events.publish(
            "challenge.status_changed",
            subject=challenge,
            actor=actor,
            payload=_event_payload(
                challenge,
                status=status,
                previous_status=previous,
                duplicate_of=challenge.duplicate_of_id,
                recipient_ids=[challenge.author_id],
            ),
        )
    return challenge


# --- Solutions ------------------------------------------------------------------------------
@transaction.atomic
def solution_create(*, challenge: Challenge, author: User, body: str) -> Solution:
    """Answer a challenge; its author hears of it, and the answerer follows the challenge."""
    if not policies.can_answer(author, challenge):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    body = _check_body(body, errors)
    if errors:
        raise ValidationError(errors)
    solution = Solution.objects.create(
        challenge=challenge, author=author, body=body, body_html=render_body(body)
    )
    Challenge.objects.filter(pk=challenge.pk).update(answer_count=F("answer_count") + 1)
    events.publish(
        "challenge.answered",
        subject=challenge,
        actor=author,
        payload=_event_payload(
            challenge,
            url=solution.get_absolute_url(),
            solution_id=solution.pk,
            follower_ids=[author.pk],
            recipient_ids=[challenge.author_id],
        ),
    )
    return solution


@transaction.atomic
def solution_update(*, solution: Solution, actor: User, body: str) -> Solution:
    """Edit an answer (its author, or a mentor/admin)."""
    if not policies.can_edit_solution(actor, solution):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    body = _check_body(body, errors)
    if errors:
        raise ValidationError(errors)
    solution.body, solution.body_html = body, render_body(body)
    solution.save(update_fields=["body", "body_html", "updated_at"])
    return solution


# --- Votes ----------------------------------------------------------------------------------
def _check_vote(user: User, item: Challenge | Solution, value: int) -> None:
    if not policies.can_vote(user, item):
        raise PermissionDenied
    if value not in VOTE_VALUES:
        raise ValidationError({"value": ["Vote 1 (up), -1 (down) or 0 (take the vote back)."]})


def _apply_vote(
    *,
    votes: models.QuerySet[Any],
    create: Any,
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
    _check_vote(user, challenge, value)
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
    _check_vote(user, solution, value)
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
        raise PermissionDenied
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
    challenge.solved_at = timezone.now()
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
        raise PermissionDenied
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


# --- Comments -------------------------------------------------------------------------------
@transaction.atomic
def comment_create(
    *,
    challenge: Challenge,
    author: User,
    body: str,
    solution: Solution | None = None,
    parent: Comment | None = None,
) -> Comment:
    """Comment on a challenge or one of its solutions, or reply to a comment (one level deep)."""
    if not policies.can_comment(author, challenge):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    body = body.replace("\r\n", "\n").strip()
    if not body:
        errors["body"] = ["Write something first."]
    elif len(body) > COMMENT_MAX_CHARS:
        errors["body"] = [f"Keep comments under {COMMENT_MAX_CHARS} characters."]
    if solution is not None and solution.challenge_id != challenge.pk:
        errors["solution"] = ["That solution answers a different challenge."]
    if parent is not None:
        if parent.challenge_id != challenge.pk or parent.solution_id != (
            solution.pk if solution else None
        ):
            errors["parent"] = ["Reply to a comment in the same thread."]
        elif parent.parent_id is not None:
            errors["parent"] = ["Replies go one level deep: reply to the first comment."]
    if errors:
        raise ValidationError(errors)
    comment = Comment.objects.create(
        challenge=challenge,
        solution=solution,
        parent=parent,
        author=author,
        body=body,
        body_html=render_body(body),
    )
    recipients = {solution.author_id if solution else challenge.author_id}
    if parent is not None:
        recipients.add(parent.author_id)
    events.publish(
        "challenge.commented",
        subject=challenge,
        actor=author,
        payload=_event_payload(
            challenge,
            url=f"{challenge.get_absolute_url()}#comment-{comment.pk}",
            comment_id=comment.pk,
            solution_id=solution.pk if solution else None,
            follower_ids=[author.pk],
            recipient_ids=sorted(recipients),
        ),
    )
    return comment
