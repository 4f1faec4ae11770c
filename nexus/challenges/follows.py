"""Challenges and challenge tags can be followed (nexus/notifications/followable.py)."""

from nexus.accounts.models import Viewer
from nexus.challenges.models import Challenge
from nexus.notifications.followable import register_followable


def _may_follow_challenge(user: Viewer, target_id: str) -> bool:
    return target_id.isdigit() and Challenge.objects.filter(pk=target_id).exists()


def _may_follow_tag(user: Viewer, target_id: str) -> bool:
    return True  # a tag is a topic, followed before any challenge carries it


register_followable("challenges.challenge", _may_follow_challenge)
register_followable("challenges.tag", _may_follow_tag)
