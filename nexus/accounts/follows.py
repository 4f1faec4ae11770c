"""People can be followed (nexus/notifications/followable.py)."""

from nexus.accounts.models import User, Viewer
from nexus.core.ids import pk_from_id
from nexus.notifications.followable import register_followable


def _may_follow_user(user: Viewer, target_id: str) -> bool:
    pk = pk_from_id(target_id)
    return pk is not None and User.objects.filter(pk=pk, is_active=True).exists()


register_followable("accounts.user", _may_follow_user)
