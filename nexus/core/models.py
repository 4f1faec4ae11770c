import uuid

from django.conf import settings
from django.db import models

OUTDATED_REASON_MAX_LENGTH = 300


class TimeStampedModel(models.Model):
    """Every table records when its rows were created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class OutdatableModel(models.Model):
    """Content whose body may link API operations: "may be outdated" when one breaks.

    Set when a linked operation changes incompatibly; only a review clears it, editing the body
    does not (nexus.core.outdated).
    """

    outdated_since = models.DateTimeField(null=True, blank=True)
    outdated_reason = models.CharField(max_length=OUTDATED_REASON_MAX_LENGTH, blank=True)

    class Meta:
        abstract = True


class OutboxEvent(models.Model):
    """A domain event, written in the same transaction as the change it describes.

    Committed events are handed to Celery; a periodic sweep hands over any that were not
    (the broker was down), so no event is lost and subscribers see each one at least once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    hand_over_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="core_outbox_pending_idx",
                condition=models.Q(handed_over_at__isnull=True),
            ),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.subject_type}:{self.subject_id}"


class DeferredTask(models.Model):
    """A task the broker could not take when a committed write enqueued it.

    `taskqueue.enqueue_on_commit` keeps it here instead of failing the request; the periodic sweep
    hands it over once the broker is back (tasks are idempotent, so a repeat is harmless).
    """

    name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    hand_over_attempts = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name


class DeadLetter(TimeStampedModel):
    """A task the workers gave up on: it failed past its retries (or kept killing its process).

    Kept for an administrator to read, fix the cause and send again (nexus.core.deadletters).
    """

    task_id = models.CharField(max_length=255, db_index=True)
    task_name = models.CharField(max_length=200, db_index=True)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    tries = models.PositiveIntegerField()
    error = models.CharField(max_length=1000)
    traceback = models.TextField(blank=True)
    worker = models.CharField(max_length=255, blank=True)
    requeued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.task_name}[{self.task_id}]"
