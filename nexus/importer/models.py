"""Import jobs (one per run from the web or API) and what each import wrote, for idempotency."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from nexus.core.models import TimeStampedModel


class SourceKind(models.TextChoices):
    FILE = "file", "Markdown file"
    ZIP = "zip", "Zip archive"
    FOLDER = "folder", "Folder"
    GIT = "git", "Git repository"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ImportJob(TimeStampedModel):
    """One import started from the web or the API; the worker fills in progress and the report."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    source_kind = models.CharField(max_length=8, choices=SourceKind.choices)
    # The repository URL, or the uploaded file's name.
    source = models.CharField(max_length=500)
    # An uploaded file or zip, kept until the job has run (bounded by NEXUS_MAX_UPLOAD_BYTES).
    upload = models.BinaryField(null=True, blank=True, editable=False)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    files_total = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    # Items (articles, challenges, entries...) the files hold, known once every file is read.
    items_total = models.PositiveIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)
    current_path = models.CharField(max_length=500, blank=True)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # How many runs began: a run whose process stopped is begun again (imports are idempotent).
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"]),
            models.Index(fields=["-created_at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.source}"

    def get_absolute_url(self) -> str:
        return reverse("importer:job", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        """The share of the items found that are written (a file's, once its transaction ends)."""
        if self.is_finished:
            return 100
        return int(100 * self.items_done / self.items_total) if self.items_total else 0

    @property
    def is_reading(self) -> bool:
        """Running, the files not all read yet: how many items they hold is not known."""
        return self.status == JobStatus.RUNNING and not self.items_total


class ImportedItem(TimeStampedModel):
    """One thing an import wrote: keyed by (owner, source, path, item key), with its content hash.

    `target_version` is the version of the target the importer itself wrote last; when the target
    has moved on since, somebody edited it in Nexus and the importer leaves it alone.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imported_items"
    )
    source = models.CharField(max_length=500)
    path = models.CharField(max_length=500)
    item_key = models.CharField(max_length=200)
    # The item's own identity (kind, key, text hash; no route): how another route to the same
    # journal finds what this import wrote.
    identity = models.CharField(max_length=200, blank=True, default="")
    content_hash = models.CharField(max_length=64)
    target_kind = models.CharField(max_length=32)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_slug = models.CharField(max_length=200, blank=True)
    target_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "source", "path", "item_key"], name="importer_item_unique_key"
            )
        ]
        indexes = [
            models.Index(fields=["target_kind", "target_id"]),
            models.Index(fields=["owner", "identity"], name="importer_item_identity"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.path}#{self.item_key}"
