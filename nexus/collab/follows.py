"""APIs in the catalog can be followed (nexus/notifications/followable.py)."""

from nexus.accounts.models import Viewer
from nexus.collab.models import Api
from nexus.notifications.followable import register_followable


def _may_follow_api(user: Viewer, target_id: str) -> bool:
    return Api.objects.filter(slug=target_id).exists()


register_followable("collab.api", _may_follow_api)
