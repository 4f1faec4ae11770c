"""People can be followed (nexus/notifications/followable.py)."""

from nexus.accounts.models import User, Viewer
from nexus.notifications.followable import register_followable


def _may_follow_user(user: Viewer, target_id: str) -> bool:
    return target_id.isdigit() and User.objects.filter(pk=target_id, is_active=True).exists()


register_followable("accounts.user", _may_follow_user)
