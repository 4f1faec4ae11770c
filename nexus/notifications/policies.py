"""Who may do what with notifications, follows and webhooks."""

from typing import Any

from nexus.notifications.models import Notification, Subscription, Webhook


def can_read_notification(user: Any, notification: Notification) -> bool:
    return bool(user.is_authenticated and user.pk == notification.recipient_id)


def can_manage_subscription(user: Any, subscription: Subscription) -> bool:
    return bool(user.is_authenticated and user.pk == subscription.user_id)


def can_manage_webhook(user: Any, webhook: Webhook) -> bool:
    return bool(user.is_authenticated and user.pk == webhook.owner_id)
