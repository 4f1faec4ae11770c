"""Rubrics: written by mentors and admins; a change of criteria is a new version, never an edit."""

from collections.abc import Sequence
from typing import TypedDict

from django.core.exceptions import PermissionDenied
from django.db import transaction

from nexus.accounts.models import User
from nexus.core import clock, conditional, events
from nexus.core.errors import field_error
from nexus.mentorship import policies, selectors
from nexus.mentorship.models import Criterion, Rubric, RubricVersion
from nexus.mentorship.models.rubrics import MAX_CRITERIA, MAX_SCALE, MIN_SCALE

NAME_MAX = 80
LEVEL_MAX = 500
COMMENT_MAX = 5000


class CleanScore(TypedDict):
    criterion: str
    position: int
    score: int
    comment: str


def _clean_criterion(index: int, raw: object) -> Criterion:
    where = f"criteria[{index}]"
    if not isinstance(raw, dict):
        raise field_error("criteria", f"{where}: give a name, a scale and level descriptions.")
    name = str(raw.get("name") or "").strip()
    if not name or len(name) > NAME_MAX:
        raise field_error("criteria", f"{where}: a name of 1 to {NAME_MAX} characters.")
    scale = raw.get("scale")
    if isinstance(scale, str) and scale.strip().isdigit():
        scale = int(scale)
    if isinstance(scale, bool) or not isinstance(scale, int) or not MIN_SCALE <= scale <= MAX_SCALE:
        raise field_error(
            "criteria",
            f"{where} ({name}): the scale is a whole number from {MIN_SCALE} to {MAX_SCALE}.",
        )
    levels = raw.get("levels") or []
    if not isinstance(levels, list) or len(levels) > scale:
        raise field_error(
            "criteria", f"{where} ({name}): at most one level description per score (1 to {scale})."
        )
    texts = [str(level).strip()[:LEVEL_MAX] for level in levels]
    return {"name": name, "scale": scale, "levels": texts + [""] * (scale - len(texts))}


def criteria_clean(raw: object) -> list[Criterion]:
    """Validated criteria: 1 to MAX_CRITERIA, names unique (ignoring case), scales in range."""
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_CRITERIA:
        raise field_error("criteria", f"Give 1 to {MAX_CRITERIA} criteria.", "required")
    criteria = [_clean_criterion(index, item) for index, item in enumerate(raw)]
    names = [criterion["name"].casefold() for criterion in criteria]
    if len(set(names)) != len(names):
        raise field_error("criteria", "Each criterion needs its own name.", "unique")
    return criteria


def _check_name(name: str, exclude_id: int | None = None) -> str:
    name = name.strip()
    if not name or len(name) > 120:
        raise field_error("name", "A name of 1 to 120 characters.", "required")
    taken = Rubric.objects.filter(name__iexact=name)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise field_error("name", "A rubric with this name exists.", "unique")
    return name


@transaction.atomic
def rubric_create(
    *, actor: User, name: str, criteria: Sequence[object], description: str = ""
) -> Rubric:
    """A new rubric with its first version."""
    if not policies.can_edit_rubric(actor):
        raise PermissionDenied("Only mentors and admins write rubrics.")
    clean = criteria_clean(list(criteria))
    rubric = Rubric.objects.create(
        name=_check_name(name), description=description.strip()[:5000], created_by=actor
    )
    RubricVersion.objects.create(rubric=rubric, number=1, criteria=clean, created_by=actor)
    events.publish("rubric.created", subject=rubric, actor=actor, payload={"title": rubric.name})
    return rubric


@transaction.atomic
def rubric_update(
    *,
    actor: User,
    rubric: Rubric,
    name: str | None = None,
    description: str | None = None,
    criteria: Sequence[object] | None = None,
    expected_etag: str | None = None,
) -> RubricVersion:
    """Rename or redescribe a rubric; changed criteria make a new version (reviews keep theirs);
    a stale expected_etag changes nothing.

    Returns the current version after the change."""
    if not policies.can_edit_rubric(actor):
        raise PermissionDenied("Only mentors and admins write rubrics.")
    rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
    conditional.check_if_match(expected_etag, rubric)
    if name is not None:
        rubric.name = _check_name(name, exclude_id=rubric.pk)
    if description is not None:
        rubric.description = description.strip()[:5000]
    rubric.save()
    current = selectors.rubric_current_version(rubric=rubric)
    if criteria is not None:
        clean = criteria_clean(list(criteria))
        if clean != current.criteria:
            current = RubricVersion.objects.create(
                rubric=rubric, number=current.number + 1, criteria=clean, created_by=actor
            )
    return current


@transaction.atomic
def rubric_archive(*, actor: User, rubric: Rubric, archived: bool = True) -> Rubric:
    """Hide a rubric from new use (reviews scored with it keep it), or bring it back."""
    if not policies.can_edit_rubric(actor):
        raise PermissionDenied("Only mentors and admins write rubrics.")
    rubric.archived_at = clock.now() if archived else None
    rubric.save(update_fields=["archived_at", "updated_at"])
    return rubric


def scores_clean(*, version: RubricVersion, scores: Sequence[object]) -> list[CleanScore]:
    """Scores for every criterion of the version, each within its scale, in the rubric's order.

    A missing, unknown, repeated or out-of-scale criterion is a field error on `scores`."""
    given: dict[str, CleanScore] = {}
    for index, raw in enumerate(scores if isinstance(scores, list | tuple) else []):
        if not isinstance(raw, dict):
            raise field_error("scores", f"scores[{index}]: give a criterion and a score.")
        criterion = version.criterion(str(raw.get("criterion") or ""))
        if criterion is None:
            raise field_error(
                "scores", f"scores[{index}]: '{raw.get('criterion')}' is not in this rubric."
            )
        if criterion["name"] in given:
            raise field_error("scores", f"'{criterion['name']}' is scored twice.", "unique")
        score = raw.get("score")
        if isinstance(score, str) and score.strip().isdigit():
            score = int(score)
        if (
            isinstance(score, bool)
            or not isinstance(score, int)
            or not 1 <= score <= criterion["scale"]
        ):
            raise field_error(
                "scores",
                f"'{criterion['name']}': choose a score from 1 to {criterion['scale']}.",
                "out_of_scale",
            )
        given[criterion["name"]] = {
            "criterion": criterion["name"],
            "position": 0,
            "score": score,
            "comment": str(raw.get("comment") or "").strip()[:COMMENT_MAX],
        }
    missing = [c["name"] for c in version.criteria if c["name"] not in given]
    if missing:
        raise field_error(
            "scores", f"Score every criterion; missing: {', '.join(missing)}.", "required"
        )
    ordered = []
    for position, criterion in enumerate(version.criteria):
        row = given[criterion["name"]]
        row["position"] = position
        ordered.append(row)
    return ordered
