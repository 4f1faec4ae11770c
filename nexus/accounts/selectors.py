"""Reads of accounts."""

from django.db.models import QuerySet

from nexus.accounts.models import ApiToken, User


def user_list() -> QuerySet[User]:
    """Active users, for public profiles."""
    return User.objects.filter(is_active=True).order_by("display_name", "id")


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """A user's tokens, newest first, revoked ones included so the history stays visible."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
