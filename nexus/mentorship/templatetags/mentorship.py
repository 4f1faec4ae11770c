"""`{% article_reviews_waiting user as waiting %}` for the journal's navigation."""

from django import template

from nexus.accounts.models import User, Viewer
from nexus.mentorship import selectors

register = template.Library()


@register.simple_tag
def article_reviews_waiting(user: Viewer) -> int:
    """How many open article review rounds ask this reviewer: one count query."""
    if not isinstance(user, User) or not user.is_moderator:
        return 0
    return selectors.review_queue(reviewer=user).order_by().count()
