"""`{% load notifications %}{% follow_button "knowledge.article" article.pk %}` for any page."""

from typing import Any

from django import template

from nexus.notifications.selectors import is_following

register = template.Library()


@register.inclusion_tag("notifications/partials/follow_button.html", takes_context=True)
def follow_button(context: dict[str, Any], target_type: str, target_id: object) -> dict[str, Any]:
    """A Follow / Unfollow toggle (htmx) for the signed-in user; nothing for anonymous visitors."""
    user = context["request"].user
    return {
        "show": user.is_authenticated,
        "following": user.is_authenticated
        and is_following(user=user, target_type=target_type, target_id=str(target_id)),
        "target_type": target_type,
        "target_id": target_id,
        "csrf_token": context.get("csrf_token"),
    }
