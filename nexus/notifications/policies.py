"""Who may do what with notifications, follows and webhooks."""

from typing import Any

from nexus.accounts.models import Team, TeamMembership, TeamRole
from nexus.notifications.models import Notification, Subscription, Webhook


def can_read_notification(user: Any, notification: Notification) -> bool:
    return bool(user.is_authenticated and user.pk == notification.recipient_id)


def can_manage_subscription(user: Any, subscription: Subscription) -> bool:
    return bool(user.is_authenticated and user.pk == subscription.user_id)


def _team_role(user: Any, team_id: int) -> str | None:
    return (
        TeamMembership.objects.filter(team_id=team_id, user_id=user.pk)
        .values_list("role", flat=True)
        .first()
    )


def can_own_team_webhooks(user: Any, team: Team) -> bool:
    """Team owners (role owner) register team webhooks."""
    return bool(user.is_authenticated and _team_role(user, team.pk) == TeamRole.OWNER)


def can_view_webhook(user: Any, webhook: Webhook) -> bool:
    """A user's webhook: its owner; a team's webhook: every member (settings and delivery log)."""
    if not user.is_authenticated:
        return False
    if webhook.team_id is None:
        return bool(user.pk == webhook.owner_id)
    return _team_role(user, webhook.team_id) is not None


def can_manage_webhook(user: Any, webhook: Webhook) -> bool:
    """Change, rotate, delete, redeliver: the user who owns it, or the team's owners."""
    if not user.is_authenticated:
        return False
    if webhook.team_id is None:
        return bool(user.pk == webhook.owner_id)
    return _team_role(user, webhook.team_id) == TeamRole.OWNER
