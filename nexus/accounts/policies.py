"""Who may do what with accounts; used by every front door."""

from typing import Any

from nexus.accounts.models import ApiToken, Team, TeamMembership, TeamRole, User


def can_edit_user(actor: Any, user: User) -> bool:
    return bool(actor.is_authenticated and (actor.pk == user.pk or actor.is_admin))


def can_manage_token(actor: Any, token: ApiToken) -> bool:
    return bool(actor.is_authenticated and actor.pk == token.user_id)


def is_team_member(actor: Any, team: Team) -> bool:
    return bool(
        actor.is_authenticated
        and TeamMembership.objects.filter(team=team, user_id=actor.pk).exists()
    )


def can_manage_team(actor: Any, team: Team) -> bool:
    """Team owners and admins change a team and its members."""
    if not actor.is_authenticated:
        return False
    if actor.is_admin:
        return True
    return TeamMembership.objects.filter(team=team, user_id=actor.pk, role=TeamRole.OWNER).exists()
