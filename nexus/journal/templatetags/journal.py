"""`{% load journal %}{% reviews_waiting user as waiting %}` for the journal's navigation."""

from django import template

from nexus.accounts.models import User, Viewer
from nexus.journal import selectors

register = template.Library()


@register.simple_tag
def reviews_waiting(user: Viewer) -> int:
    """How many submitted milestones wait for this mentor (their learners'; admins: all): one
    count query, asked only on journal pages."""
    if not isinstance(user, User) or not user.is_moderator:
        return 0
    return selectors.review_queue(mentor=user).count()
