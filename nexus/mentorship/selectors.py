"""Reads of mentorship."""

from django.db.models import OuterRef, QuerySet, Subquery

from nexus.mentorship.models import Rubric, RubricVersion


def rubric_list(*, include_archived: bool = False) -> QuerySet[Rubric]:
    """Rubrics by name, each annotated with its latest version number (`current_number`)."""
    latest = RubricVersion.objects.filter(rubric=OuterRef("pk")).order_by("-number")
    rubrics = Rubric.objects.annotate(current_number=Subquery(latest.values("number")[:1]))
    if not include_archived:
        rubrics = rubrics.filter(archived_at__isnull=True)
    return rubrics.order_by("name", "id")


def rubric_get(*, rubric_id: int) -> Rubric | None:
    return rubric_list(include_archived=True).filter(pk=rubric_id).first()


def rubric_current_version(*, rubric: Rubric) -> RubricVersion:
    """The version new reviews are scored against."""
    return rubric.versions.order_by("-number").first() or _missing(rubric)


def _missing(rubric: Rubric) -> RubricVersion:
    raise RubricVersion.DoesNotExist(f"Rubric {rubric.pk} has no version.")


def rubric_versions_by_id(version_ids: set[int]) -> dict[int, RubricVersion]:
    return {
        v.pk: v for v in RubricVersion.objects.select_related("rubric").filter(pk__in=version_ids)
    }
