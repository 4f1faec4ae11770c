"""Posting and editing challenges and solutions; closing, reopening, duplicates."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from nexus.accounts.models import User
from nexus.challenges import policies
from nexus.challenges.models import (
    Challenge,
    ChallengeStatus,
    Solution,
)
from nexus.challenges.rendering import excerpt, render_body
from nexus.challenges.services.common import (
    DUPLICATE_CHAIN_LIMIT,
    _check_body,
    _check_title,
    _event_payload,
    _index_title,
    _taxonomy,
)
from nexus.core import conditional, events
from nexus.knowledge import services as knowledge

ONLY_MENTORS_MARK_DUPLICATES = "Only mentors and admins decide what is a duplicate."


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
        raise PermissionDenied("This account may not post challenges.")
    errors: dict[str, list[str]] = {}
    title = _check_title(title, errors)
    body = _check_body(body, errors)
    techs, tag_names = _taxonomy(technologies, tags, errors)
    if errors:
        raise ValidationError(errors)
    challenge = Challenge.objects.create(
        title=title, body=body, body_html=render_body(body), excerpt=excerpt(body), author=author
    )
    challenge.technologies.set(techs)
    challenge.tags.set(knowledge.tags_ensure(names=tag_names))
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
        raise PermissionDenied("Only the author or a mentor may edit this challenge.")
    errors: dict[str, list[str]] = {}
    new_title = _check_title(title, errors) if title is not None else challenge.title
    new_body = _check_body(body, errors) if body is not None else challenge.body
    techs, tag_names = _taxonomy(technologies or (), tags or (), errors)
    if errors:
        raise ValidationError(errors)
    if new_body != challenge.body:
        challenge.body, challenge.body_html = new_body, render_body(new_body)
        challenge.excerpt = excerpt(new_body)
    title_changed = new_title != challenge.title
    challenge.title = new_title
    challenge.save(update_fields=["title", "body", "body_html", "excerpt", "updated_at"])
    if technologies is not None:
        challenge.technologies.set(techs)
    if tags is not None:
        challenge.tags.set(knowledge.tags_ensure(names=tag_names))
    if title_changed:
        _index_title(challenge)
    # No subject: an edit is not news for the challenge's followers; search re-indexes it.
    events.publish(
        "challenge.updated",
        actor=actor,
        payload=_event_payload(challenge, challenge_id=challenge.pk),
    )
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
            raise PermissionDenied(ONLY_MENTORS_MARK_DUPLICATES)
        if errors := _duplicate_errors(challenge, duplicate_of):
            raise ValidationError(errors)
        challenge.duplicate_of = duplicate_of
    elif status in (ChallengeStatus.OPEN, ChallengeStatus.CLOSED):
        if not policies.can_close_challenge(actor, challenge):
            raise PermissionDenied("Only the author or a mentor may close or reopen it.")
        if challenge.status == ChallengeStatus.DUPLICATE and not policies.can_mark_duplicate(
            actor, challenge
        ):
            raise PermissionDenied(ONLY_MENTORS_MARK_DUPLICATES)
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
        raise PermissionDenied("This account may not answer challenges.")
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
def solution_update(
    *, solution: Solution, actor: User, body: str, expected_etag: str | None = None
) -> Solution:
    """Edit an answer (its author, or a mentor/admin), refusing a stale expected_etag."""
    if not policies.can_edit_solution(actor, solution):
        raise PermissionDenied("Only the author or a mentor may edit this solution.")
    solution = Solution.objects.select_for_update().get(pk=solution.pk)
    conditional.check_if_match(expected_etag, solution)
    errors: dict[str, list[str]] = {}
    body = _check_body(body, errors)
    if errors:
        raise ValidationError(errors)
    solution.body, solution.body_html = body, render_body(body)
    solution.save(update_fields=["body", "body_html", "updated_at"])
    events.publish(
        "solution.updated",
        actor=actor,
        payload=_event_payload(solution.challenge, challenge_id=solution.challenge_id),
    )
    return solution
