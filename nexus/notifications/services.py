"""Every write of notifications: follows, read marks, e-mail preferences, webhooks."""

import re
import secrets
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from nexus.accounts.models import Team, User
from nexus.accounts.selectors import team_owner_ids
from nexus.core import clock, events, metrics, outbound, taskqueue
from nexus.core.models import OutboxEvent
from nexus.notifications import followable, policies
from nexus.notifications.channels.email import ALL_EVENTS, read_unsubscribe_token
from nexus.notifications.channels.webhook import Attempt, post_delivery
from nexus.notifications.models import (
    DeliveryStatus,
    EmailPreference,
    Notification,
    Subscription,
    Webhook,
    WebhookDelivery,
)
from nexus.notifications.registry import EVENT_TYPES, Frequency

TARGET_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")
WEBHOOK_SECRET_PREFIX = "whsec_"
MAY_NOT_MANAGE = "Only the webhook's owner, or its team's owners, manage it."


# --- Follows ----------------------------------------------------------------------------------
def _validate_target(target_type: str, target_id: str) -> None:
    errors = {}
    if not TARGET_TYPE.match(target_type) or len(target_type) > 64:
        errors["target_type"] = ['Use an "app.model" name such as "knowledge.article".']
    if not target_id or len(target_id) > 64:
        errors["target_id"] = ["Give the id or slug of what to follow (at most 64 characters)."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def subscription_create(*, user: User, target_type: str, target_id: str | int) -> Subscription:
    """Follow a target; following it again returns the existing follow."""
    if not policies.can_follow(user):
        raise PermissionDenied("Sign in to follow.")
    target_type, target_id = target_type.strip(), str(target_id).strip()
    _validate_target(target_type, target_id)
    if target_type not in followable.followable_types():
        kinds = ", ".join(followable.followable_types())
        raise ValidationError({"target_type": [f"Only these can be followed: {kinds}."]})
    if not followable.may_follow(user, target_type, target_id):
        # The same answer for what does not exist and what the user may not see.
        raise ValidationError({"target_id": ["There is nothing to follow with this id."]})
    subscription, _ = Subscription.objects.get_or_create(
        user=user, target_type=target_type, target_id=target_id
    )
    return subscription


def subscription_delete(*, subscription: Subscription, actor: User) -> None:
    """Stop following."""
    if not policies.can_manage_subscription(actor, subscription):
        raise PermissionDenied("This follow is someone else's.")
    subscription.delete()


def subscriptions_follow_from_events(*, events: Sequence[OutboxEvent]) -> int:
    """Authors and commenters follow what they touch (payload author_id / follower_ids)."""
    wanted: set[tuple[int, str, str]] = set()
    for event in events:
        if not event.subject_type:
            continue
        ids = {event.payload.get("author_id"), *(event.payload.get("follower_ids") or [])}
        wanted.update((i, event.subject_type, event.subject_id) for i in ids if isinstance(i, int))
    created = Subscription.objects.bulk_create(
        [
            Subscription(user_id=user_id, target_type=target_type, target_id=target_id)
            for user_id, target_type, target_id in sorted(wanted)
        ],
        ignore_conflicts=True,
    )
    return len(created)


# --- Notifications ----------------------------------------------------------------------------
def notification_mark_read(*, notification: Notification, actor: User) -> Notification:
    """Mark one notification read (once: the first time is kept)."""
    if not policies.can_read_notification(actor, notification):
        raise PermissionDenied("This notification is someone else's.")
    if notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of a user read; returns how many changed."""
    if not policies.can_read_notifications(user):
        raise PermissionDenied("Sign in to read notifications.")
    now = clock.now()
    return Notification.objects.filter(recipient=user, read_at=None).update(
        read_at=now, updated_at=now
    )


def notifications_delete_old_read(*, older_than: timedelta) -> int:
    """Clean-up: delete notifications read before the cut-off."""
    cutoff = clock.now() - older_than
    deleted, _ = Notification.objects.filter(read_at__lt=cutoff).delete()
    return deleted


# --- E-mail preferences -----------------------------------------------------------------------
@transaction.atomic
def email_preferences_update(*, user: User, preferences: dict[str, str]) -> dict[str, str]:
    """Set how often e-mail comes per event type; unknown types or frequencies are field errors."""
    if not policies.can_edit_email_preferences(user):
        raise PermissionDenied("Sign in to choose your e-mail.")
    errors: dict[str, list[str]] = {}
    for event_type, frequency in preferences.items():
        if event_type not in EVENT_TYPES:
            errors[event_type] = ["Unknown event type."]
        elif frequency not in Frequency.values:
            errors[event_type] = [f"Choose one of: {', '.join(Frequency.values)}."]
    if errors:
        raise ValidationError(errors)
    for event_type, frequency in preferences.items():
        EmailPreference.objects.update_or_create(
            user=user, event_type=event_type, defaults={"frequency": frequency}
        )
    return preferences


@transaction.atomic
def email_unsubscribe(*, token: str) -> tuple[User, str]:
    """Apply a signed unsubscribe link: e-mail for its event type (or all) becomes "never"."""
    try:
        user_id, event_type = read_unsubscribe_token(token)
    except signing.BadSignature as exc:
        raise ValidationError({"token": ["This unsubscribe link is not valid."]}) from exc
    user = User.objects.filter(pk=user_id).first()
    if user is None or (event_type != ALL_EVENTS and event_type not in EVENT_TYPES):
        raise ValidationError({"token": ["This unsubscribe link is not valid."]})
    types = list(EVENT_TYPES) if event_type == ALL_EVENTS else [event_type]
    email_preferences_update(user=user, preferences=dict.fromkeys(types, Frequency.NEVER))
    Notification.objects.filter(recipient=user, event_name__in=types, emailed_at=None).update(
        email_frequency=Frequency.NEVER
    )
    return user, event_type


# --- Webhooks ---------------------------------------------------------------------------------
def _validate_webhook(url: str | None, event_names: Sequence[str] | None) -> None:
    errors: dict[str, list[str]] = {}
    if url is not None:
        try:
            outbound.check_url(url)
        except outbound.UnsafeURLError as exc:
            errors["url"] = [str(exc)]
    if event_names is not None:
        unknown = sorted(set(event_names) - set(EVENT_TYPES))
        if not event_names:
            errors["events"] = ["Pick at least one event type."]
        elif unknown:
            errors["events"] = [f"Unknown event type: {', '.join(unknown)}."]
    if errors:
        raise ValidationError(errors)


def _new_secret() -> str:
    return WEBHOOK_SECRET_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def webhook_create(
    *, actor: User, url: str, events: Sequence[str], team: Team | None = None
) -> tuple[Webhook, str]:
    """Register the actor's webhook, or a team's; returns it and its secret, shown only now."""
    if team is None and not policies.can_add_webhook(actor):
        raise PermissionDenied("Sign in to add a webhook.")
    if team is not None and not policies.can_own_team_webhooks(actor, team):
        raise PermissionDenied("Only the team's owners add its webhooks.")
    _validate_webhook(url, events)
    secret = _new_secret()
    webhook = Webhook.objects.create(
        owner=actor if team is None else None,
        team=team,
        url=url,
        events=sorted(set(events)),
        secret=secret,
    )
    return webhook, secret


@transaction.atomic
def webhook_update(
    *,
    webhook: Webhook,
    actor: User,
    url: str | None = None,
    events: Sequence[str] | None = None,
    is_active: bool | None = None,
) -> Webhook:
    """Change a webhook's URL, events or activity (None keeps one); re-enabling resets failures."""
    if not policies.can_manage_webhook(actor, webhook):
        raise PermissionDenied(MAY_NOT_MANAGE)
    _validate_webhook(url, events)
    if url is not None:
        webhook.url = url
    if events is not None:
        webhook.events = sorted(set(events))
    if is_active is not None:
        if is_active and not webhook.is_active:
            webhook.consecutive_failures, webhook.disabled_at = 0, None
        webhook.is_active = is_active
    webhook.save()
    return webhook


def webhook_rotate_secret(*, webhook: Webhook, actor: User) -> str:
    """Replace the signing secret; the new one is returned once."""
    if not policies.can_manage_webhook(actor, webhook):
        raise PermissionDenied(MAY_NOT_MANAGE)
    webhook.secret = _new_secret()
    webhook.save(update_fields=["secret", "updated_at"])
    return webhook.secret


def webhook_delete(*, webhook: Webhook, actor: User) -> None:
    """Remove a webhook and its delivery log."""
    if not policies.can_manage_webhook(actor, webhook):
        raise PermissionDenied(MAY_NOT_MANAGE)
    webhook.delete()


def webhook_redeliver(*, delivery: WebhookDelivery, actor: User) -> WebhookDelivery:
    """Send a delivery again (same id, so receivers can still deduplicate)."""
    if not policies.can_manage_webhook(actor, delivery.webhook):
        raise PermissionDenied(MAY_NOT_MANAGE)
    delivery.status = DeliveryStatus.PENDING
    delivery.save(update_fields=["status", "updated_at"])
    taskqueue.enqueue_on_commit("nexus.notifications.tasks.deliver_webhook", str(delivery.pk))
    return delivery


def webhook_delivery_attempt(*, delivery_id: str) -> Attempt | None:
    """POST a delivery once and record the outcome; None when there is nothing to do."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == DeliveryStatus.SUCCEEDED:
        return None
    webhook = delivery.webhook
    if not webhook.is_active:
        return None
    attempt = post_delivery(delivery, secret=webhook.secret, url=webhook.url)
    now = clock.now()
    # The delivery's outcome and the webhook's failure count change together: nobody reads a
    # delivered attempt beside a count that still holds its earlier failure.
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SUCCEEDED if attempt.ok else DeliveryStatus.FAILED,
            attempts=models.F("attempts") + 1,
            response_status=attempt.status,
            error=attempt.error,
            delivered_at=now if attempt.ok else None,
            updated_at=now,
        )
        if attempt.ok:
            Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0)
        else:
            _webhook_record_failure(webhook)
    metrics.webhook_deliveries.labels(outcome="succeeded" if attempt.ok else "failed").inc()
    return attempt


@transaction.atomic
def _webhook_record_failure(webhook: Webhook) -> None:
    """Count a failure; after too many in a row, disable the webhook and tell its owner."""
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    webhook.consecutive_failures += 1
    fields = ["consecutive_failures", "updated_at"]
    disable = webhook.is_active and (
        webhook.consecutive_failures >= settings.NEXUS_WEBHOOK_MAX_CONSECUTIVE_FAILURES
    )
    if disable:
        webhook.is_active = False
        webhook.disabled_at = clock.now()
        fields += ["is_active", "disabled_at"]
    webhook.save(update_fields=fields)
    if disable:
        events.publish(
            "webhook.disabled",
            subject=webhook,
            payload={
                "title": f"{webhook.url} failed {webhook.consecutive_failures} times in a row",
                "url": "/notifications/webhooks/",
                "recipient_ids": (
                    team_owner_ids(team_id=webhook.team_id)
                    if webhook.team_id is not None
                    else [webhook.owner_id]
                ),
            },
        )


def subscription_remove(*, user: User, target_type: str, target_id: str) -> None:
    """Stop following a target, if followed."""
    if not policies.can_follow(user):
        raise PermissionDenied("Sign in to follow.")
    Subscription.objects.filter(user=user, target_type=target_type, target_id=target_id).delete()
