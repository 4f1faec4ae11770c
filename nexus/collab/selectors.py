"""Reads of the collaboration hub, with the joins each caller needs."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Prefetch, Q, QuerySet

from nexus.accounts.models import TeamMembership, User
from nexus.collab.models import (
    SCORE_FIELDS,
    Api,
    BreakingChangeAlert,
    EndpointFeedback,
    IntegrationIssue,
    IssueComment,
    IssueEvent,
    Operation,
    SpecChange,
    SpecVersion,
)
from nexus.collab.openapi.diff import BREAKING, Change, diff_specs
from nexus.collab.openapi.operations import parse_operations


def api_list() -> QuerySet[Api]:
    """Catalog entries with their team and latest version."""
    return (
        Api.objects.filter(is_archived=False)
        .select_related("team", "latest_version", "created_by")
        .order_by("-pinned", "name", "id")
    )


def version_list(*, api: Api) -> QuerySet[SpecVersion]:
    """An API's versions, newest first, without their (large) texts."""
    return (
        SpecVersion.objects.filter(api=api)
        .defer("raw_text", "document")
        .select_related("created_by")
        .order_by("-number")
    )


def version_get(*, api: Api, number: int | str) -> SpecVersion | None:
    """One version by number, or the latest for 'latest'."""
    if number == "latest":
        return SpecVersion.objects.filter(api=api).order_by("-number").first()
    try:
        return SpecVersion.objects.filter(api=api, number=int(number)).first()
    except (TypeError, ValueError):
        return None


def operation_list(*, version: SpecVersion | None) -> QuerySet[Operation]:
    """A version's operations in document order."""
    if version is None:
        return Operation.objects.none()
    return Operation.objects.filter(version=version).order_by("position", "id")


def api_operations(*, api: Api) -> QuerySet[Operation]:
    """Operations of every version of an API."""
    return Operation.objects.filter(api=api).select_related("version")


def change_list(*, version: SpecVersion, breaking_only: bool = False) -> QuerySet[SpecChange]:
    """What changed from the previous version to this one, breaking first."""
    changes = SpecChange.objects.filter(version=version)
    if breaking_only:
        changes = changes.filter(severity=BREAKING)
    return changes.order_by("position", "id")


@dataclass(frozen=True)
class Comparison:
    """What changed between any two versions of an API, older first."""

    older: SpecVersion
    newer: SpecVersion
    changes: list[Change]
    change_count: int
    breaking_count: int


def version_comparison(
    *, api: Api, older: int, newer: int, breaking_only: bool = False
) -> Comparison:
    """Diff two versions with the rules that build each stored changelog, in one query.

    Raises ValidationError on the field at fault ("from" or "to") for an unknown version, the
    same version twice, or the newer one given first.
    """
    if older == newer:
        raise ValidationError({"to": ["Pick a version other than the one you compare from."]})
    found = {
        version.number: version
        for version in SpecVersion.objects.filter(api=api, number__in=[older, newer]).only(
            "id", "api_id", "number", "title", "info_version", "document", "created_at"
        )
    }
    for field, number in (("from", older), ("to", newer)):
        if number not in found:
            raise ValidationError({field: [f"{api.name} has no version {number}."]})
    if older > newer:
        raise ValidationError(
            {"to": [f"Version {newer} is older than version {older}: swap them to compare."]}
        )
    old, new = found[older], found[newer]
    changes = diff_specs(
        old.document, new.document, parse_operations(old.document), parse_operations(new.document)
    )
    breaking = [change for change in changes if change.severity == BREAKING]
    return Comparison(
        older=old,
        newer=new,
        changes=breaking if breaking_only else changes,
        change_count=len(changes),
        breaking_count=len(breaking),
    )


def feedback_list() -> QuerySet[EndpointFeedback]:
    """Feedback with its author and API, newest first."""
    return EndpointFeedback.objects.select_related("author", "api", "replied_by").order_by(
        "-created_at", "-id"
    )


def feedback_summary(*, api: Api, operation_key: str | None = None) -> dict[str, Any]:
    """Average score per aspect and overall, with the number of ratings, in one query."""
    rows = EndpointFeedback.objects.filter(api=api)
    if operation_key is not None:
        rows = rows.filter(operation_key=operation_key)
    aggregates = rows.aggregate(
        count=Count("id"),
        addressed=Count("id", filter=Q(addressed_at__isnull=False)),
        **{name: Avg(name) for name in SCORE_FIELDS},
    )
    averages = {name: _round(aggregates[name]) for name in SCORE_FIELDS}
    present = [value for value in averages.values() if value is not None]
    return {
        "count": aggregates["count"],
        "addressed": aggregates["addressed"],
        "averages": averages,
        "overall": _round(sum(present) / len(present)) if present else None,
    }


def feedback_summary_by_operation(*, api: Api) -> dict[str, dict[str, Any]]:
    """Each operation key's rating count and overall average, in one query."""
    rows = (
        EndpointFeedback.objects.filter(api=api)
        .values("operation_key")
        .annotate(count=Count("id"), **{name: Avg(name) for name in SCORE_FIELDS})
    )
    result = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        present = [values[name] for name in SCORE_FIELDS if values[name] is not None]
        result[values["operation_key"]] = {
            "count": values["count"],
            "overall": _round(sum(present) / len(present)) if present else None,
        }
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def issue_list() -> QuerySet[IntegrationIssue]:
    """Issues with what a list shows: API, people and labels."""
    return (
        IntegrationIssue.objects.select_related("api", "reporter", "assignee", "spec_version")
        .prefetch_related("labels")
        .order_by("-created_at", "-id")
    )


def issue_detail() -> QuerySet[IntegrationIssue]:
    """Issues with their comments, history and watchers."""
    return issue_list().prefetch_related(
        Prefetch("comments", queryset=IssueComment.objects.select_related("author")),
        Prefetch("history", queryset=IssueEvent.objects.select_related("actor").order_by("id")),
        "watchers",
    )


def alert_list(*, user: User) -> QuerySet[BreakingChangeAlert]:
    """A user's breaking-change alerts with their changes, newest first."""
    return (
        BreakingChangeAlert.objects.filter(recipient=user)
        .select_related("api", "version")
        .prefetch_related(Prefetch("changes", queryset=SpecChange.objects.order_by("position")))
        .order_by("-created_at", "-id")
    )


# --- Reads for the learning journal ---------------------------------------------------------


def apis_registered_by(*, user_ids: Sequence[int] | None = None) -> QuerySet[Api]:
    """Live APIs registered by some users or by a team one of them belongs to (all for None).

    The team test is a subquery, so an API counts once however many members it has.
    """
    apis = Api.objects.filter(is_archived=False)
    if user_ids is None:
        return apis
    teams = TeamMembership.objects.filter(user_id__in=user_ids).values("team_id")
    return apis.filter(Q(created_by_id__in=user_ids) | Q(team_id__in=teams))


def feedback_given_by(*, author_ids: Iterable[int] | None = None) -> QuerySet[EndpointFeedback]:
    """Endpoint feedback written by some users (everyone's for None)."""
    feedback = EndpointFeedback.objects.all()
    return feedback if author_ids is None else feedback.filter(author_id__in=author_ids)
