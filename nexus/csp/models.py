from django.db import models

from nexus.core.models import TimeStampedModel

PAGE_ROUTE_MAX_LENGTH = 200
URI_MAX_LENGTH = 500
DIRECTIVE_MAX_LENGTH = 40
BLOCKED_MAX_LENGTH = 200
SAMPLE_MAX_LENGTH = 100


class Disposition(models.TextChoices):
    ENFORCE = "enforce", "Blocked"
    REPORT = "report", "Reported only"


class Violation(TimeStampedModel):
    """One kind of Content-Security-Policy violation that browsers reported, and how often.

    A kind is a page's URL pattern, the directive and what was blocked: every article page that
    trips the same rule counts on one row, so the table stays small whatever the traffic.
    """

    page_route = models.CharField(
        max_length=PAGE_ROUTE_MAX_LENGTH,
        help_text='The page\'s URL pattern, e.g. "/articles/<slug:slug>/".',
    )
    directive = models.CharField(max_length=DIRECTIVE_MAX_LENGTH)
    blocked_uri = models.CharField(
        max_length=BLOCKED_MAX_LENGTH,
        blank=True,
        help_text='An origin, or what the browser names it: "inline", "eval", "data"…',
    )
    disposition = models.CharField(max_length=8, choices=Disposition.choices)
    count = models.PositiveBigIntegerField(default=1)
    last_seen_at = models.DateTimeField()
    page_path = models.CharField(
        max_length=URI_MAX_LENGTH, help_text="The latest page it happened on (path only)."
    )
    source_file = models.CharField(max_length=URI_MAX_LENGTH, blank=True)
    line_number = models.PositiveIntegerField(null=True, blank=True)
    sample = models.CharField(
        max_length=SAMPLE_MAX_LENGTH, blank=True, help_text="The start of the blocked code."
    )

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["page_route", "directive", "blocked_uri", "disposition"],
                name="csp_violation_one_row_per_kind",
            )
        ]
        indexes = [models.Index(fields=["-last_seen_at"], name="csp_violation_last_seen_idx")]

    def __str__(self) -> str:
        return f"{self.directive} blocked {self.blocked_uri or '?'} on {self.page_route}"
