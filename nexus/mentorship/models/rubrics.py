"""A rubric is a named list of criteria, each scored on a scale; every edit is a new version."""

from typing import TypedDict

from django.conf import settings
from django.db import models

from nexus.core.models import TimeStampedModel

MAX_CRITERIA = 20
MIN_SCALE, MAX_SCALE = 2, 10


class Criterion(TypedDict):
    """One criterion as a version stores it: scores run from 1 to `scale`, one level text each."""

    name: str
    scale: int
    levels: list[str]


class Rubric(TimeStampedModel):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(max_length=5000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("name", "id")
        indexes = [models.Index(fields=["archived_at", "name"], name="mentorship_rubric_live")]

    def __str__(self) -> str:
        return self.name

    def etag_parts(self) -> tuple[object, ...]:
        """What the ETag is made of (nexus.core.conditional): every change saves the rubric."""
        return (self.updated_at,)


class RubricVersion(TimeStampedModel):
    """The criteria as they were at one version; a review keeps the version it was scored on."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    criteria = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("rubric", "-number")
        constraints = [
            models.UniqueConstraint(fields=["rubric", "number"], name="mentorship_rubric_version"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="mentorship_rubric_version_from_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rubric_id} v{self.number}"

    def criterion(self, name: str) -> Criterion | None:
        wanted = name.strip().casefold()
        for criterion in self.criteria:
            if criterion["name"].casefold() == wanted:
                return criterion
        return None


class Decision(models.TextChoices):
    APPROVED = "approved", "Approve"
    CHANGES_REQUESTED = "changes_requested", "Request changes"


class ScoredReview(TimeStampedModel):
    """What every review shares: who decided what, against which rubric version, and why."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rubric_version = models.ForeignKey(
        RubricVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=24, choices=Decision.choices)
    comment = models.TextField(max_length=20_000, blank=True)
    comment_html = models.TextField(blank=True)

    class Meta:
        abstract = True


class ScoreRow(TimeStampedModel):
    """One criterion's score in a review (the concrete tables add the review they belong to)."""

    criterion = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(max_length=5000, blank=True)

    class Meta:
        abstract = True
