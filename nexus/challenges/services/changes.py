"""One edit of a challenge, whichever door it comes through (REST, GraphQL, the web page): text
and taxonomy, status and duplicate, and the accepted solution, all or nothing."""

from collections.abc import Sequence
from enum import Enum
from typing import Final, Literal

from django.core.exceptions import ValidationError
from django.db import transaction

from nexus.accounts.models import User
from nexus.challenges.models import Challenge, ChallengeStatus, Solution
from nexus.challenges.services.challenges import challenge_set_status, challenge_update
from nexus.challenges.services.votes import solution_accept, solution_unaccept
from nexus.core import conditional


class _Unset(Enum):
    UNSET = "unset"


# "Leave as it is", where None already means "none" (no duplicate, no accepted solution).
UNSET: Final = _Unset.UNSET
type Unset = Literal[_Unset.UNSET]


@transaction.atomic
def challenge_apply_changes(
    *,
    challenge: Challenge,
    actor: User,
    title: str | None = None,
    body: str | None = None,
    technologies: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    status: str | None = None,
    duplicate_of: int | Unset | None = UNSET,
    accepted_solution: int | Unset | None = UNSET,
    expected_etag: str | None = None,
) -> Challenge:
    """Apply the given changes under the challenge's row lock, refusing a stale expected_etag."""
    locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
    conditional.check_if_match(expected_etag, locked)
    if any(value is not None for value in (title, body, technologies, tags)):
        challenge_update(
            challenge=locked,
            actor=actor,
            title=title,
            body=body,
            technologies=technologies,
            tags=tags,
        )
    if status is not None or duplicate_of is not UNSET:
        target = None if duplicate_of is UNSET else _challenge_named(duplicate_of)
        if status is None:
            status = ChallengeStatus.DUPLICATE if target else ChallengeStatus.OPEN
        challenge_set_status(challenge=locked, actor=actor, status=status, duplicate_of=target)
    if accepted_solution is not UNSET:
        _accept(locked, actor, accepted_solution)
    locked.refresh_from_db()
    return locked


def _challenge_named(challenge_id: int | None) -> Challenge | None:
    if challenge_id is None:
        return None
    target = Challenge.objects.filter(pk=challenge_id).first()
    if target is None:
        raise ValidationError({"duplicate_of": ["No such challenge."]})
    return target


def _accept(challenge: Challenge, actor: User, solution_id: int | None) -> None:
    if solution_id is None:
        solution_unaccept(challenge=challenge, actor=actor)
        return
    solution = Solution.objects.filter(pk=solution_id).first()
    if solution is None:
        raise ValidationError({"accepted_solution": ["No such solution."]})
    try:
        solution_accept(challenge=challenge, solution=solution, actor=actor)
    except ValidationError as exc:
        raise ValidationError({"accepted_solution": exc.messages}) from exc
