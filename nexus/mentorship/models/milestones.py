"""Milestone reviews: the rubric a programme scores each milestone with, and the thread of
submissions and reviews (one review per submission) that leads to it being done."""

from django.conf import settings
from django.db import models

from nexus.core.models import TimeStampedModel
from nexus.mentorship.models.rubrics import Rubric, ScoredReview, ScoreRow


class MilestoneRubric(TimeStampedModel):
    """The rubric a programme's milestone is scored with (one per milestone)."""

    milestone = models.OneToOneField(
        "journal.Milestone", on_delete=models.CASCADE, related_name="rubric_link"
    )
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="milestone_links")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.milestone_id} scored with {self.rubric_id}"


class MilestoneSubmission(TimeStampedModel):
    """One round of a learner's work on a milestone, as it was when they submitted it."""

    progress = models.ForeignKey(
        "journal.MilestoneProgress", on_delete=models.CASCADE, related_name="submissions"
    )
    round = models.PositiveSmallIntegerField()
    note = models.TextField(max_length=20_000, blank=True)
    repository_url = models.URLField(max_length=500, blank=True)
    deployed_url = models.URLField(max_length=500, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ("progress", "round")
        constraints = [
            models.UniqueConstraint(
                fields=["progress", "round"], name="mentorship_submission_round"
            ),
            models.CheckConstraint(
                condition=models.Q(round__gte=1), name="mentorship_submission_round_from_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.progress_id} round {self.round}"


class MilestoneReview(ScoredReview):
    """A mentor's review of one submission; the unique submission makes a second one a conflict."""

    submission = models.OneToOneField(
        MilestoneSubmission, on_delete=models.CASCADE, related_name="review"
    )

    class Meta:
        ordering = ("submission", "id")
        indexes = [
            models.Index(fields=["reviewer", "-created_at"], name="mentorship_msreview_reviewer"),
            # The weekly milestone reviews on /metrics (nexus.core.metrics).
            models.Index(fields=["created_at"], name="mentorship_msreview_created"),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.decision}"


class MilestoneScore(ScoreRow):
    review = models.ForeignKey(MilestoneReview, on_delete=models.CASCADE, related_name="scores")

    class Meta:
        ordering = ("review", "position")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="mentorship_msscore_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.review_id} {self.criterion}={self.score}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"


class MilestoneReminder(TimeStampedModel):
    """A reminder sent: at most one per learner, milestone and kind, whatever the beat does."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    milestone = models.ForeignKey("journal.Milestone", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    due_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "milestone", "kind"], name="mentorship_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.milestone_id} {self.kind}"
