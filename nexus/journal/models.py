"""Programs of months and milestones, cohorts that follow them, and each learner's journal."""

from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db import models

from nexus.core import clock
from nexus.core.models import TimeStampedModel

MAX_BODY_BYTES = 512 * 1024
MINUTES_PER_DAY = 24 * 60


class Program(TimeStampedModel):
    """A sequence of months, e.g. "ProDev Backend Engineering"."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=5000, blank=True)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ("title", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="journal_one_default_program",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ProgramMonth(TimeStampedModel):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="months")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=5000, blank=True)
    topics = models.ManyToManyField(
        "knowledge.Technology", blank=True, related_name="program_months"
    )
    articles = models.ManyToManyField(
        "knowledge.Article", blank=True, related_name="program_months"
    )

    class Meta:
        ordering = ("program", "number")
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="journal_month_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="journal_month_from_1"),
        ]

    def __str__(self) -> str:
        return f"Month {self.number}: {self.title}"


class Milestone(TimeStampedModel):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="milestones")
    month = models.ForeignKey(ProgramMonth, on_delete=models.CASCADE, related_name="milestones")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=5000, blank=True)

    class Meta:
        ordering = ("program", "number")
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="journal_milestone_number"),
        ]

    def __str__(self) -> str:
        return f"Milestone {self.number}: {self.title}"


class Cohort(TimeStampedModel):
    """A group of learners following a program from a start date, with their mentors.

    Archived rather than deleted: an archived cohort leaves the pickers but its history stays.
    """

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(max_length=2000, blank=True)
    start_date = models.DateField()
    archived_at = models.DateTimeField(null=True, blank=True)
    mentors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentored_cohorts"
    )

    class Meta:
        ordering = ("-start_date", "name")
        indexes = [
            models.Index(fields=["archived_at", "-start_date", "name"], name="journal_cohort_live"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def etag_parts(self) -> tuple[object, ...]:
        """What the ETag is made of (nexus.core.conditional): every change saves the cohort."""
        return (self.updated_at,)


INVITATION_SIGNER = signing.Signer(salt="nexus.journal.cohort-invitation")


class InvitationState(models.TextChoices):
    OPEN = "open", "Open"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"
    USED_UP = "used_up", "Used up"


class CohortInvitation(TimeStampedModel):
    """A link that lets people join a cohort: signed, expiring, revocable, optionally limited.

    The link carries `key` signed with the site's secret (salted), so a key read from the database
    alone does not make a link, and a forged one is refused before any lookup.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="cohort_invitations_sent",
    )
    email = models.EmailField(blank=True)
    key = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["cohort", "-created_at"], name="journal_invitation_cohort"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True) | models.Q(max_uses__gte=1),
                name="journal_invitation_max_uses_1",
            ),
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True)
                | models.Q(uses__lte=models.F("max_uses")),
                name="journal_invitation_uses_within_max",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} to {self.cohort_id}"

    @property
    def token(self) -> str:
        """What the link carries: the key, signed."""
        return INVITATION_SIGNER.sign(self.key)

    def state(self, moment: datetime) -> str:
        """revoked, expired, used_up or open, at a moment."""
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires_at <= moment:
            return InvitationState.EXPIRED
        if self.max_uses is not None and self.uses >= self.max_uses:
            return InvitationState.USED_UP
        return InvitationState.OPEN


def invitation_key(token: str) -> str | None:
    """The key a link's token carries, or None when its signature is not ours."""
    try:
        return INVITATION_SIGNER.unsign(token)
    except signing.BadSignature:
        return None


class CohortMembership(TimeStampedModel):
    """A learner's time in a cohort; `left_at` is null while it lasts, so moving keeps history.

    `mentors` are the learner's own mentors in this cohort; none assigned means the cohort's.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships"
    )
    joined_at = models.DateTimeField(default=clock.now)
    left_at = models.DateTimeField(null=True, blank=True)
    invitation = models.ForeignKey(
        CohortInvitation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    mentors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentored_memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner"],
                condition=models.Q(left_at__isnull=True),
                name="journal_one_current_membership",
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "left_at"], name="journal_membership_cohort"),
            models.Index(fields=["learner", "-joined_at"], name="journal_membership_learner"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} in {self.cohort_id}"


class Visibility(models.TextChoices):
    PRIVATE = "private", "Only me"
    MENTORS = "mentors", "Me and mentors"
    PUBLIC = "public", "Everyone"


class Entry(TimeStampedModel):
    """One day's worklog entry; body_html is rendered once, when the body is written."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_entries"
    )
    date = models.DateField()
    body = models.TextField()
    body_html = models.TextField(blank=True)
    minutes_spent = models.PositiveIntegerField(default=0)
    confidence = models.PositiveSmallIntegerField(default=3)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    topics = models.ManyToManyField(
        "knowledge.Technology", blank=True, related_name="journal_entries"
    )
    articles = models.ManyToManyField("knowledge.Article", blank=True, related_name="+")
    links = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["author", "date"], name="journal_entry_author_date"),
            models.Index(fields=["author", "-date", "-id"], name="journal_entry_author_recent"),
            models.Index(fields=["visibility", "-date", "-id"], name="journal_entry_vis_recent"),
            models.Index(fields=["date"], name="journal_entry_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confidence__gte=1, confidence__lte=5),
                name="journal_entry_confidence_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(minutes_spent__lte=MINUTES_PER_DAY),
                name="journal_entry_minutes_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_id} {self.date}"

    def etag_parts(self) -> tuple[object, ...]:
        """What the ETag is made of (nexus.core.conditional): every change is a save."""
        return (self.updated_at,)


class LearnerTopic(TimeStampedModel):
    """How many entries a learner has written on a technology: stored, so coverage is cheap.

    Kept by the entry services (recounted from the entries, never incremented blindly).
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_topics"
    )
    technology = models.ForeignKey(
        "knowledge.Technology", on_delete=models.CASCADE, related_name="+"
    )
    entries = models.PositiveIntegerField()
    last_date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "technology"], name="journal_learner_topic")
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.technology_id} x{self.entries}"


class Reflection(TimeStampedModel):
    """A learner's look back at one month: what went well, what was hard, what to change."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_reflections"
    )
    month = models.DateField(help_text="The first day of the month reflected on.")
    went_well = models.TextField(max_length=20_000, blank=True)
    was_hard = models.TextField(max_length=20_000, blank=True)
    to_change = models.TextField(max_length=20_000, blank=True)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["author", "month"], name="journal_reflection_month"),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="journal_reflection_first_of_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_id} {self.month:%Y-%m}"


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    DONE = "done", "Done"


class MilestoneProgress(TimeStampedModel):
    """One learner's work on one milestone; only a mentor's review marks it done."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="milestone_progress"
    )
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(
        max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.NOT_STARTED
    )
    repository_url = models.URLField(max_length=500, blank=True)
    deployed_url = models.URLField(max_length=500, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    note = models.TextField(max_length=20_000, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestone_reviews",
    )
    review_comment = models.TextField(max_length=20_000, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "milestone progress"
        constraints = [
            models.UniqueConstraint(fields=["learner", "milestone"], name="journal_progress_once")
        ]
        indexes = [
            models.Index(fields=["status", "-updated_at", "-id"], name="journal_progress_status"),
            models.Index(fields=["learner", "status"], name="journal_progress_learner"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.milestone_id} {self.status}"
