"""Reads of mentorship."""

from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from nexus.journal.models import Milestone, MilestoneProgress
from nexus.mentorship.models import (
    MilestoneReview,
    MilestoneRubric,
    MilestoneScore,
    MilestoneSubmission,
    Rubric,
    RubricVersion,
)


def rubric_list(*, include_archived: bool = False) -> QuerySet[Rubric]:
    """Rubrics by name, each annotated with its latest version number (`current_number`)."""
    latest = RubricVersion.objects.filter(rubric=OuterRef("pk")).order_by("-number")
    rubrics = Rubric.objects.annotate(current_number=Subquery(latest.values("number")[:1]))
    if not include_archived:
        rubrics = rubrics.filter(archived_at__isnull=True)
    return rubrics.order_by("name", "id")


def rubric_list_with_versions(*, include_archived: bool = False) -> QuerySet[Rubric]:
    """rubric_list with every version loaded, newest first (the current one is the first)."""
    return rubric_list(include_archived=include_archived).prefetch_related(
        Prefetch("versions", queryset=RubricVersion.objects.order_by("-number"))
    )


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


def milestone_rubric_version(*, milestone: Milestone) -> RubricVersion | None:
    """The current version of the rubric attached to a milestone, if one is."""
    link = MilestoneRubric.objects.filter(milestone=milestone).select_related("rubric").first()
    return rubric_current_version(rubric=link.rubric) if link else None


def latest_submission(*, progress: MilestoneProgress) -> MilestoneSubmission | None:
    return (
        MilestoneSubmission.objects.filter(progress=progress)
        .select_related("review")
        .order_by("-round")
        .first()
    )


def is_reviewed(submission: MilestoneSubmission) -> bool:
    return MilestoneReview.objects.filter(submission=submission).exists()


def _rounds() -> QuerySet[MilestoneSubmission]:
    return (
        MilestoneSubmission.objects.select_related(
            "review__reviewer", "review__rubric_version__rubric"
        )
        .prefetch_related(
            Prefetch("review__scores", queryset=MilestoneScore.objects.order_by("position"))
        )
        .order_by("round")
    )


def milestone_thread(*, progress: MilestoneProgress) -> QuerySet[MilestoneSubmission]:
    """Every round of a milestone, oldest first, each with its review, reviewer, rubric version
    and scores: two queries whatever the length of the thread."""
    return _rounds().filter(progress=progress)


def thread_prefetch() -> "Prefetch[Any]":
    """For a list of milestone progress: each one's rounds as `thread` (two queries in all)."""
    return Prefetch("submissions", queryset=_rounds(), to_attr="thread")


def review_get(*, review_id: int) -> MilestoneReview:
    return (
        MilestoneReview.objects.select_related("submission", "reviewer", "rubric_version__rubric")
        .prefetch_related("scores")
        .get(pk=review_id)
    )
