"""Challenges and challenge tags can be followed (nexus/notifications/followable.py)."""

from nexus.accounts.models import Viewer
from nexus.challenges.models import Challenge
from nexus.core.ids import pk_from_id
from nexus.notifications.followable import register_followable


def _may_follow_challenge(user: Viewer, target_id: str) -> bool:
    pk = pk_from_id(target_id)
    return pk is not None and Challenge.objects.filter(pk=pk).exists()


def _may_follow_tag(user: Viewer, target_id: str) -> bool:
    return True  # a tag is a topic, followed before any challenge carries it


register_followable("challenges.challenge", _may_follow_challenge)
register_followable("challenges.tag", _may_follow_tag)
