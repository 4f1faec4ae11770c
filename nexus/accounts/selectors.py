"""Reads of accounts."""

from django.db.models import Prefetch, QuerySet

from nexus.accounts.models import ApiToken, Team, TeamMembership, TeamRole, User, Viewer


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


def team_ids_for(*, user: Viewer) -> set[int]:
    """The ids of the teams a user belongs to."""
    if not user.is_authenticated:
        return set()
    return set(TeamMembership.objects.filter(user=user).values_list("team_id", flat=True))


def team_owner_ids(*, team_id: int) -> list[int]:
    """The active users with the owner role in a team."""
    return list(
        TeamMembership.objects.filter(
            team_id=team_id, role=TeamRole.OWNER, user__is_active=True
        ).values_list("user_id", flat=True)
    )


def teams_owned_by(*, user: Viewer) -> QuerySet[Team]:
    """The teams in which a user has the owner role, by name."""
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user, memberships__role=TeamRole.OWNER).order_by(
        "name", "id"
    )


def team_by_reference(reference: str | int) -> Team | None:
    """A team by slug (as the teams API names them) or by numeric id."""
    value = str(reference).strip()
    team = Team.objects.filter(slug=value).first()
    if team is None and value.isdigit():
        team = Team.objects.filter(pk=int(value)).first()
    return team
