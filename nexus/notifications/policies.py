"""Who may do what with notifications, follows and webhooks: the services raise on a refusal,
the front doors show or hide."""

from nexus.accounts.models import Team, TeamMembership, TeamRole, User, Viewer
from nexus.notifications.models import Notification, Subscription, Webhook


def can_read_notification(user: Viewer, notification: Notification) -> bool:
    return isinstance(user, User) and user.pk == notification.recipient_id


def can_read_notifications(user: Viewer) -> bool:
    """Everyone signed in has an inbox of their own."""
    return isinstance(user, User)


def can_follow(user: Viewer) -> bool:
    """Everyone signed in follows (and unfollows) for themselves."""
    return isinstance(user, User)


def can_manage_subscription(user: Viewer, subscription: Subscription) -> bool:
    return isinstance(user, User) and user.pk == subscription.user_id


def can_edit_email_preferences(user: Viewer) -> bool:
    """Everyone signed in chooses their own; the unsubscribe link acts for its addressee."""
    return isinstance(user, User)


def _team_role(user: User, team_id: int) -> str | None:
    return (
        TeamMembership.objects.filter(team_id=team_id, user_id=user.pk)
        .values_list("role", flat=True)
        .first()
    )


def can_add_webhook(user: Viewer) -> bool:
    """Everyone signed in registers webhooks of their own."""
    return isinstance(user, User)


def can_own_team_webhooks(user: Viewer, team: Team) -> bool:
    """Team owners (role owner) register team webhooks."""
    return isinstance(user, User) and _team_role(user, team.pk) == TeamRole.OWNER


def can_view_webhook(user: Viewer, webhook: Webhook) -> bool:
    """A user's webhook: its owner; a team's webhook: every member (settings and delivery log)."""
    if not isinstance(user, User):
        return False
    if webhook.team_id is None:
        return user.pk == webhook.owner_id
    return _team_role(user, webhook.team_id) is not None


def can_manage_webhook(user: Viewer, webhook: Webhook) -> bool:
    """Change, rotate, delete, redeliver: the user who owns it, or the team's owners."""
    if not isinstance(user, User):
        return False
    if webhook.team_id is None:
        return user.pk == webhook.owner_id
    return _team_role(user, webhook.team_id) == TeamRole.OWNER
