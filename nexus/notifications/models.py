"""Follows, notifications, e-mail preferences and outgoing webhooks."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from nexus.core.models import TimeStampedModel
from nexus.notifications.registry import Frequency


class Subscription(TimeStampedModel):
    """A user following something: any target named like an event subject.

    Targets are strings, not foreign keys, so anything can be followed (a tag, an API, a user) and
    events can name their subject without this app knowing every model.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "target_type", "target_id"], name="notifications_one_follow"
            )
        ]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="notifications_sub_target_idx"),
            models.Index(fields=["user", "-created_at", "-id"], name="notifications_sub_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.target_type}:{self.target_id}"


class Notification(TimeStampedModel):
    """One event for one recipient; unique per (event, recipient): fan-out is idempotent."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event_id = models.UUIDField()
    event_name = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_frequency = models.CharField(
        max_length=8, choices=Frequency.choices, default=Frequency.NEVER
    )
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "recipient"], name="notifications_once_per_recipient"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at", "-id"], name="notifications_inbox_idx"
            ),
            # The bell's unread COUNT reads only this small partial index.
            models.Index(
                fields=["recipient"], name="notifications_unread_idx", condition=Q(read_at=None)
            ),
            models.Index(
                fields=["email_frequency", "recipient"],
                name="notifications_unsent_idx",
                condition=Q(emailed_at=None),
            ),
            models.Index(fields=["read_at"], name="notifications_read_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_name} for {self.recipient_id}"


class EmailPreference(TimeStampedModel):
    """How often a user wants e-mail about one event type (absent: the type's default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    event_type = models.CharField(max_length=64)
    frequency = models.CharField(max_length=8, choices=Frequency.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "event_type"], name="notifications_one_pref")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event_type}: {self.frequency}"


class Webhook(TimeStampedModel):
    """A URL that receives signed JSON POSTs for the chosen event types.

    It belongs to a user (events that user is notified of) or to a team (events routed to the
    team: `payload["team_ids"]` or an `accounts.team` subject / follow target), never both.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False, team__isnull=True)
                | Q(owner__isnull=True, team__isnull=False),
                name="notifications_hook_one_owner",
            )
        ]
        indexes = [
            models.Index(
                fields=["owner", "-created_at", "-id"], name="notifications_hook_owner_idx"
            ),
            models.Index(fields=["team", "-created_at", "-id"], name="notifications_hook_team_idx"),
        ]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WebhookDelivery(TimeStampedModel):
    """One event sent to one webhook: its id is the idempotency key receivers see."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField()
    event_name = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event_id"], name="notifications_hook_once")
        ]
        indexes = [
            models.Index(
                fields=["webhook", "-created_at", "-id"], name="notifications_dlv_log_idx"
            ),
            models.Index(fields=["event_id"], name="notifications_dlv_event_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_name} → {self.webhook_id} ({self.status})"
