"""Reads of accounts."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from nexus.accounts.models import ApiToken, Team, TeamMembership, User


def user_list() -> QuerySet[User]:
    """Active users, for public profiles."""
    return User.objects.filter(is_active=True).order_by("display_name", "id")


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """A user's tokens, newest first, revoked ones included so the history stays visible."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def team_list() -> QuerySet[Team]:
    """Teams with their members, for lists and detail pages."""
    return Team.objects.prefetch_related(
        Prefetch("memberships", queryset=TeamMembership.objects.select_related("user"))
    ).order_by("name", "id")


def team_ids_for(*, user: Any) -> set[int]:
    """The ids of the teams a user belongs to."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(TeamMembership.objects.filter(user=user).values_list("team_id", flat=True))
