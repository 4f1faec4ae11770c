"""Shared pieces of the challenge services: limits, points, validation, event payloads."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError

from nexus.challenges.models import (
    BODY_MAX_CHARS,
    Challenge,
    ChallengeTerm,
)
from nexus.challenges.similarity import title_terms
from nexus.knowledge import services as knowledge
from nexus.knowledge.models import Technology

TITLE_MAX_LENGTH = 200
TITLE_MIN_LENGTH = 8
BODY_MAX_BYTES = 512 * 1024
COMMENT_MAX_CHARS = 20_000
DUPLICATE_CHAIN_LIMIT = 100
# Tighter than an article's: a challenge is one problem, about a few technologies.
MAX_TECHNOLOGIES = 5

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
) -> tuple[list[Technology], list[str]]:
    # Knowledge owns technologies and tags and their rules; the errors join this form's others.
    techs: list[Technology] = []
    names: list[str] = []
    try:
        techs = knowledge.technologies_resolve(slugs=technologies, limit=MAX_TECHNOLOGIES)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        names = knowledge.tags_normalise(names=tags)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    return techs, names


def _index_title(challenge: Challenge) -> None:
    ChallengeTerm.objects.filter(challenge=challenge).delete()
    ChallengeTerm.objects.bulk_create(
        [ChallengeTerm(challenge=challenge, term=term) for term in title_terms(challenge.title)]
    )


def _event_payload(challenge: Challenge, **extra: object) -> dict[str, object]:
    return {"title": challenge.title, "url": challenge.get_absolute_url(), **extra}
