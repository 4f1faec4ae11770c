"""Posting and editing challenges and solutions; closing, reopening, duplicates."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Subquery

from nexus.accounts.models import User
from nexus.challenges import policies
from nexus.challenges.models import (
    Challenge,
    ChallengeStatus,
    ChallengeTerm,
    Solution,
)
from nexus.challenges.rendering import excerpt, render_body
from nexus.challenges.services.common import (
    DUPLICATE_CHAIN_LIMIT,
    MAX_TECHNOLOGIES,
    _check_body,
    _check_title,
    _event_payload,
    _index_title,
    _taxonomy,
)
from nexus.challenges.similarity import title_terms
from nexus.core import clock, conditional, events
from nexus.knowledge import services as knowledge
from nexus.knowledge.models import Technology

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
        payload=_created_payload(challenge, author, techs, tag_names),
    )
    return challenge


def _created_payload(
    challenge: Challenge, author: User, techs: Sequence[Technology], tag_names: Sequence[str]
) -> dict[str, object]:
    """challenge.created's payload: its followers are those of its technologies and tags."""
    return _event_payload(
        challenge,
        author_id=author.pk,
        technologies=[t.slug for t in techs],
        tags=list(tag_names),
        follow_targets=[
            *(["knowledge.technology", t.slug] for t in techs),
            *(["challenges.tag", name] for name in tag_names),
        ],
    )


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
        if status == ChallengeStatus.CLOSED and challenge.status == ChallengeStatus.SOLVED:
            # "Closed" reads as abandoned: a problem with an accepted answer is not.
            raise ValidationError(
                {"status": ["It is solved: a solved challenge stays solved and is not closed."]}
            )
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


# --- Many at once (imports) -------------------------------------------------------------------
@dataclass(frozen=True)
class ChallengeDraft:
    """One challenge for `challenges_create`; `solution` is its author's own accepted answer."""

    title: str
    body: str
    technologies: Sequence[str] = ()
    tags: Sequence[str] = ()
    solution: str = ""


def _checked_challenge(
    draft: ChallengeDraft, technologies: dict[str, Technology]
) -> tuple[str, str, str, list[Technology], list[str]]:
    errors: dict[str, list[str]] = {}
    title = _check_title(draft.title, errors)
    body = _check_body(draft.body, errors)
    solution = _check_body(draft.solution, errors, field="solution") if draft.solution else ""
    wanted = list(dict.fromkeys(draft.technologies))
    if len(wanted) > MAX_TECHNOLOGIES:
        errors["technologies"] = [f"Choose at most {MAX_TECHNOLOGIES} technologies."]
    elif unknown := [slug for slug in wanted if slug not in technologies]:
        errors["technologies"] = [f"Unknown technology: {', '.join(unknown)}."]
    tags: list[str] = []
    try:
        tags = knowledge.tags_normalise(names=draft.tags)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return title, body, solution, [technologies[slug] for slug in wanted], tags


@transaction.atomic
def challenges_create(
    *, author: User, drafts: Sequence[ChallengeDraft]
) -> list[Challenge | ValidationError]:
    """`challenge_create` for many challenges, each with its author's own answer accepted when
    the draft has one (`solution_create` + `solution_accept`), in a fixed number of statements.
    Each draft gives its challenge, or the ValidationError that refused it."""
    if not policies.can_create_challenge(author) or not policies.can_answer(author, Challenge()):
        raise PermissionDenied("This account may not post challenges.")
    wanted = {slug for draft in drafts for slug in draft.technologies}
    technologies = {tech.slug: tech for tech in Technology.objects.filter(slug__in=wanted)}
    results: list[Challenge | ValidationError] = []
    made: list[tuple[Challenge, str, list[Technology], list[str]]] = []
    now = clock.now()
    for draft in drafts:
        try:
            title, body, solution, techs, tags = _checked_challenge(draft, technologies)
        except ValidationError as exc:
            results.append(exc)
            continue
        challenge = Challenge(
            title=title,
            body=body,
            body_html=render_body(body),
            excerpt=excerpt(body),
            author=author,
            created_at=now,
            updated_at=now,
        )
        results.append(challenge)
        made.append((challenge, solution, techs, tags))
    if made:
        _insert_challenges(author, made, now)
    return results


def _insert_challenges(
    author: User, made: list[tuple[Challenge, str, list[Technology], list[str]]], now: datetime
) -> None:
    Challenge.objects.bulk_create([challenge for challenge, *_rest in made])
    names = sorted({name for *_rest, tag_names in made for name in tag_names})
    tags = {tag.name: tag for tag in knowledge.tags_ensure(names=names)}
    Challenge.technologies.through.objects.bulk_create(
        [
            Challenge.technologies.through(challenge_id=challenge.pk, technology_id=tech.pk)
            for challenge, _solution, techs, _tags in made
            for tech in techs
        ]
    )
    Challenge.tags.through.objects.bulk_create(
        [
            Challenge.tags.through(challenge_id=challenge.pk, tag_id=tags[name].pk)
            for challenge, _solution, _techs, tag_names in made
            for name in tag_names
        ]
    )
    ChallengeTerm.objects.bulk_create(
        [
            ChallengeTerm(challenge=challenge, term=term)
            for challenge, *_rest in made
            for term in title_terms(challenge.title)
        ]
    )
    answered = [(challenge, text) for challenge, text, *_rest in made if text]
    solutions = Solution.objects.bulk_create(
        [
            Solution(
                challenge=challenge,
                author=author,
                body=text,
                body_html=render_body(text),
                created_at=now,
                updated_at=now,
            )
            for challenge, text in answered
        ]
    )
    for (challenge, _text), solution in zip(answered, solutions, strict=True):
        challenge.accepted_solution = solution
        challenge.status = ChallengeStatus.SOLVED
        challenge.solved_at = now
        challenge.answer_count = 1
    # Each answered challenge has one solution, its own: one UPDATE reading it back, rather than
    # bulk_update's CASE per row and field (a third of the time of writing the challenges).
    Challenge.objects.filter(pk__in=[challenge.pk for challenge, _text in answered]).update(
        accepted_solution=Subquery(
            Solution.objects.filter(challenge=OuterRef("pk")).values("pk")[:1]
        ),
        status=ChallengeStatus.SOLVED,
        solved_at=now,
        answer_count=1,
    )
    events.publish_many(
        "challenge.created",
        [
            events.Announcement(
                subject=challenge,
                actor=author,
                payload=_created_payload(challenge, author, techs, tag_names),
            )
            for challenge, _solution, techs, tag_names in made
        ],
    )
    events.publish_many(
        "challenge.answered",
        [
            events.Announcement(
                subject=solution.challenge,
                actor=author,
                payload=_event_payload(
                    solution.challenge,
                    url=solution.get_absolute_url(),
                    solution_id=solution.pk,
                    follower_ids=[author.pk],
                    recipient_ids=[author.pk],
                ),
            )
            for solution in solutions
        ],
    )
    events.publish_many(
        "solution.accepted",
        [
            events.Announcement(
                subject=solution,
                actor=author,
                payload=_event_payload(
                    solution.challenge,
                    url=solution.get_absolute_url(),
                    challenge_id=solution.challenge_id,
                    recipient_ids=[author.pk],
                    follow_targets=[["challenges.challenge", str(solution.challenge_id)]],
                ),
            )
            for solution in solutions
        ],
    )
