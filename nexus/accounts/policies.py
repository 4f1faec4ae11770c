"""Who may do what with accounts; the services call these and raise, front doors show or hide."""

from typing import TypeGuard

from nexus.accounts.models import ApiToken, Team, TeamMembership, TeamRole, User, Viewer


def is_signed_in(viewer: Viewer) -> TypeGuard[User]:
    """A signed-in, active user: every app's policies start from this."""
    # Inactive accounts cannot sign in; a service called for one (a script, a task) refuses too.
    return isinstance(viewer, User) and viewer.is_active


def can_edit_user(actor: Viewer, user: User) -> bool:
    """A profile is edited by its owner, or by an admin."""
    return is_signed_in(actor) and (actor.pk == user.pk or actor.is_admin)


def can_change_password(actor: Viewer, user: User) -> bool:
    """Only the owner changes a password (proving the old one); admins use a reset link."""
    return is_signed_in(actor) and actor.pk == user.pk


def can_log_out_everywhere(actor: Viewer, user: User) -> bool:
    """The owner ends their own sessions and tokens, or an admin does it for them."""
    return is_signed_in(actor) and (actor.pk == user.pk or actor.is_admin)


def can_deactivate_user(actor: Viewer, user: User) -> bool:
    """Admins deactivate accounts."""
    return is_signed_in(actor) and actor.is_admin


def can_create_token(actor: Viewer) -> bool:
    """Any signed-in user makes API tokens, always for themselves."""
    return is_signed_in(actor)


def can_manage_token(actor: Viewer, token: ApiToken) -> bool:
    return is_signed_in(actor) and actor.pk == token.user_id


def is_team_member(actor: Viewer, team: Team) -> bool:
    return (
        is_signed_in(actor) and TeamMembership.objects.filter(team=team, user_id=actor.pk).exists()
    )


def can_create_team(actor: Viewer) -> bool:
    """Any signed-in user starts a team, and owns it."""
    return is_signed_in(actor)


def can_manage_team(actor: Viewer, team: Team) -> bool:
    """Team owners and admins change a team and its members."""
    if not is_signed_in(actor):
        return False
    if actor.is_admin:
        return True
    return TeamMembership.objects.filter(team=team, user_id=actor.pk, role=TeamRole.OWNER).exists()
