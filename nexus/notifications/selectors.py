"""Reads of notifications, follows, preferences and webhooks."""

from collections import defaultdict
from collections.abc import Collection, Iterable

from django.db.models import Q, QuerySet

from nexus.accounts.models import User
from nexus.notifications.models import (
    EmailPreference,
    Notification,
    Subscription,
    Webhook,
    WebhookDelivery,
)
from nexus.notifications.registry import EVENT_TYPES


def notification_list(*, user: User) -> QuerySet[Notification]:
    """A user's notifications, newest first, with the actor for display."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def unread_count(*, user: User) -> int:
    """The bell's number: one COUNT over the partial unread index."""
    return Notification.objects.filter(recipient=user, read_at=None).count()


def subscription_list(*, user: User) -> QuerySet[Subscription]:
    """What a user follows, newest first."""
    return Subscription.objects.filter(user=user).order_by("-created_at", "-id")


def email_preferences(*, user: User) -> dict[str, str]:
    """Every known event type with the user's e-mail frequency (their choice or the default)."""
    chosen = dict(EmailPreference.objects.filter(user=user).values_list("event_type", "frequency"))
    return {name: chosen.get(name, event.default_frequency) for name, event in EVENT_TYPES.items()}


def webhook_list(*, user: User) -> QuerySet[Webhook]:
    """Webhooks a user may see: their own and those of their teams, newest first."""
    return (
        Webhook.objects.filter(Q(owner=user) | Q(team__memberships__user=user))
        .select_related("team")
        .order_by("-created_at", "-id")
    )


def delivery_list(*, webhook: Webhook) -> QuerySet[WebhookDelivery]:
    """A webhook's delivery log, newest first."""
    return WebhookDelivery.objects.filter(webhook=webhook).order_by("-created_at", "-id")


def is_following(*, user: User, target_type: str, target_id: str) -> bool:
    """Whether a user follows a target (for Follow buttons)."""
    return Subscription.objects.filter(
        user=user, target_type=target_type, target_id=target_id
    ).exists()


def follower_ids(*, targets: Iterable[tuple[str, str]]) -> set[int]:
    """Active users following any of these (type, id) targets; one query, whatever their number."""
    ids_by_type: dict[str, list[str]] = defaultdict(list)
    for target_type, target_id in targets:
        ids_by_type[target_type].append(target_id)
    if not ids_by_type:
        return set()
    matches = Q()
    for target_type, target_ids in ids_by_type.items():
        matches |= Q(target_type=target_type, target_id__in=target_ids)
    followers = Subscription.objects.filter(matches, user__is_active=True)
    return set(followers.values_list("user_id", flat=True).distinct())


def followed_targets(*, user: User, target_types: Collection[str]) -> list[tuple[str, str]]:
    """The (type, id) targets of these types that a user follows."""
    follows = Subscription.objects.filter(user=user, target_type__in=list(target_types))
    return list(follows.values_list("target_type", "target_id"))
