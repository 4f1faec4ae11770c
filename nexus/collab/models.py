"""The collaboration hub: API catalog, spec versions and their changes, feedback, issues."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from nexus.core.models import TimeStampedModel

USER = settings.AUTH_USER_MODEL


class Api(TimeStampedModel):
    """An API in the catalog, maintained by its team (or, without one, by whoever registered it)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(max_length=5000, blank=True)
    base_url = models.URLField(max_length=500, blank=True)
    repository_url = models.URLField(max_length=500, blank=True)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="apis"
    )
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    latest_version = models.ForeignKey(
        "SpecVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_archived = models.BooleanField(default=False)
    pinned = models.BooleanField(default=False, help_text="Listed before the others.")

    class Meta:
        verbose_name = "API"
        indexes = [
            models.Index(fields=["-pinned", "name", "id"], name="collab_api_catalog_order"),
            models.Index(fields=["team", "name"]),
        ]

    def __str__(self) -> str:
        return self.name

    def etag_parts(self) -> tuple[object, ...]:
        """What the ETag is made of (nexus.core.conditional): edits are saves; a new spec
        version moves the latest one."""
        return (self.updated_at, self.latest_version_id)


class SpecSource(models.TextChoices):
    UPLOAD = "upload", "Upload"
    PASTE = "paste", "Pasted text"
    URL = "url", "URL"
    SYSTEM = "system", "Nexus itself"


class SpecVersion(TimeStampedModel):
    """One uploaded spec: the raw text as given, and its parsed, normalised JSON."""

    api = models.ForeignKey(Api, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.CharField(max_length=8, choices=SpecSource.choices)
    source_url = models.URLField(max_length=2000, blank=True)
    raw_text = models.TextField()
    raw_format = models.CharField(max_length=4)
    document = models.JSONField()
    content_hash = models.CharField(max_length=64)
    openapi_version = models.CharField(max_length=16)
    title = models.CharField(max_length=300, blank=True)
    info_version = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    breaking_count = models.PositiveIntegerField(default=0)
    change_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api", "number"], name="collab_version_number_once"),
            models.UniqueConstraint(
                fields=["api", "content_hash"], name="collab_version_content_once"
            ),
        ]
        indexes = [models.Index(fields=["api", "-number"])]

    def __str__(self) -> str:
        return f"{self.api} v{self.number}"


class Operation(TimeStampedModel):
    """One operation of one version; `key` ("METHOD /path") identifies it across versions."""

    api = models.ForeignKey(Api, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(SpecVersion, on_delete=models.CASCADE, related_name="operations")
    key = models.CharField(max_length=520)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    operation_id = models.CharField(max_length=200, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    deprecated = models.BooleanField(default=False)
    tags = models.JSONField(default=list, blank=True)
    detail = models.JSONField(default=dict)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="collab_operation_once")
        ]
        indexes = [
            models.Index(fields=["api", "key"]),
            models.Index(fields=["version", "position"]),
        ]

    def __str__(self) -> str:
        return self.key


class Severity(models.TextChoices):
    BREAKING = "breaking", "Breaking"
    NON_BREAKING = "non-breaking", "Non-breaking"


class SpecChange(TimeStampedModel):
    """One classified change from the previous version to this one."""

    version = models.ForeignKey(SpecVersion, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=40)
    severity = models.CharField(max_length=12, choices=Severity.choices)
    operation_key = models.CharField(max_length=520, blank=True)
    detail = models.CharField(max_length=1000)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["version", "position"]), models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return f"{self.severity} {self.kind}: {self.detail}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class SpecImport(TimeStampedModel):
    """A request to fetch a spec from a URL, done by a background task."""

    api = models.ForeignKey(Api, on_delete=models.CASCADE, related_name="imports")
    url = models.URLField(max_length=2000)
    status = models.CharField(
        max_length=8, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    problems = models.JSONField(default=list, blank=True)
    version = models.ForeignKey(
        SpecVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["api", "-created_at"])]


class ApiConsumer(TimeStampedModel):
    """A user or a team that uses an API, optionally naming the operations they depend on."""

    api = models.ForeignKey(Api, on_delete=models.CASCADE, related_name="consumers")
    user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.CASCADE, related_name="api_consumptions"
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_consumptions",
    )
    operations = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "API consumer"
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, team__isnull=True)
                | Q(user__isnull=True, team__isnull=False),
                name="collab_consumer_user_xor_team",
            ),
            models.UniqueConstraint(
                fields=["api", "user"],
                condition=Q(user__isnull=False),
                name="collab_user_consumes_once",
            ),
            models.UniqueConstraint(
                fields=["api", "team"],
                condition=Q(team__isnull=False),
                name="collab_team_consumes_once",
            ),
        ]


class BreakingChangeAlert(TimeStampedModel):
    """The in-app record that a consumer was told about breaking changes in a new version."""

    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="api_alerts")
    api = models.ForeignKey(Api, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(SpecVersion, on_delete=models.CASCADE, related_name="alerts")
    changes = models.ManyToManyField(SpecChange, through="AlertChange", related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "version"], name="collab_alert_once")
        ]
        indexes = [models.Index(fields=["recipient", "-created_at"])]


class AlertChange(TimeStampedModel):
    alert = models.ForeignKey(BreakingChangeAlert, on_delete=models.CASCADE)
    change = models.ForeignKey(SpecChange, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "change"], name="collab_alert_change_once")
        ]


def _score_field(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


SCORE_FIELDS = ("naming", "error_messages", "documentation", "consistency", "performance")


class EndpointFeedback(TimeStampedModel):
    """A user's ratings of one operation; kept by operation key so it survives new versions."""

    api = models.ForeignKey(Api, on_delete=models.CASCADE, related_name="feedback")
    operation_key = models.CharField(max_length=520)
    author = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="endpoint_feedback")
    naming = _score_field("naming")
    error_messages = _score_field("error messages")
    documentation = _score_field("documentation")
    consistency = _score_field("consistency")
    performance = _score_field("performance")
    comment = models.TextField(max_length=5000, blank=True)
    example = models.TextField(max_length=5000, blank=True)
    reply = models.TextField(max_length=5000, blank=True)
    replied_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    addressed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "endpoint feedback"
        constraints = [
            models.UniqueConstraint(
                fields=["api", "operation_key", "author"], name="collab_feedback_once_per_author"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__range": (1, 5)}),
                    name=f"collab_feedback_{name}_1_to_5",
                )
                for name in SCORE_FIELDS
            ],
        ]
        indexes = [
            models.Index(fields=["api", "operation_key", "-created_at"]),
            models.Index(fields=["author", "-created_at"]),
        ]


class IssueKind(models.TextChoices):
    BUG = "bug", "Bug"
    CONTRACT_MISMATCH = "contract_mismatch", "Contract mismatch"
    DOCS_GAP = "docs_gap", "Documentation gap"
    FEATURE_REQUEST = "feature_request", "Feature request"
    PERFORMANCE = "performance", "Performance"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    TRIAGED = "triaged", "Triaged"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    WONT_FIX = "wont_fix", "Won't fix"


class IssueLabel(TimeStampedModel):
    name = models.CharField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.name


class IntegrationIssue(TimeStampedModel):
    """A contract mismatch, bug, docs gap, feature request or performance problem with an API."""

    api = models.ForeignKey(Api, on_delete=models.CASCADE, related_name="issues")
    operation_key = models.CharField(max_length=520, blank=True)
    spec_version = models.ForeignKey(
        SpecVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues"
    )
    change = models.ForeignKey(
        SpecChange, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=512 * 1024, blank=True)
    body_html = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=IssueKind.choices, default=IssueKind.BUG)
    status = models.CharField(max_length=12, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    reporter = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_api_issues"
    )
    labels = models.ManyToManyField(IssueLabel, through="IssueLabelling", related_name="issues")
    watchers: models.ManyToManyField = models.ManyToManyField(
        USER, through="IssueWatch", related_name="watched_api_issues"
    )

    class Meta:
        indexes = [
            models.Index(fields=["api", "status", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["kind", "-created_at"]),
            models.Index(fields=["assignee", "-created_at"]),
            models.Index(fields=["api", "operation_key"]),
        ]

    def __str__(self) -> str:
        return self.title

    def etag_parts(self) -> tuple[object, ...]:
        """What the ETag is made of (nexus.core.conditional): every change is a save."""
        return (self.updated_at,)


class IssueLabelling(TimeStampedModel):
    issue = models.ForeignKey(IntegrationIssue, on_delete=models.CASCADE)
    label = models.ForeignKey(IssueLabel, on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issue", "label"], name="collab_label_once")]


class IssueWatch(TimeStampedModel):
    issue = models.ForeignKey(IntegrationIssue, on_delete=models.CASCADE)
    user = models.ForeignKey(USER, on_delete=models.CASCADE)

    class Meta:
        verbose_name_plural = "issue watches"
        constraints = [models.UniqueConstraint(fields=["issue", "user"], name="collab_watch_once")]


class IssueComment(TimeStampedModel):
    issue = models.ForeignKey(IntegrationIssue, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(max_length=512 * 1024)
    body_html = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["issue", "created_at"])]


class IssueEvent(TimeStampedModel):
    """One entry of an issue's history: who changed which field from what to what."""

    issue = models.ForeignKey(IntegrationIssue, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    field = models.CharField(max_length=40)
    old_value = models.CharField(max_length=300, blank=True)
    new_value = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["issue", "created_at"])]
