"""Who may do what in mentorship: the services raise on a refusal, the front doors show or hide."""

from typing import TypeGuard

from nexus.accounts.models import User, Viewer


def _is_moderator(user: Viewer) -> TypeGuard[User]:
    return isinstance(user, User) and user.is_moderator


def can_view_rubrics(user: Viewer) -> bool:
    """Signed-in people read rubrics: learners should know what they will be scored on."""
    return isinstance(user, User)


def can_edit_rubric(user: Viewer) -> bool:
    """Mentors and admins write rubrics, as they are the ones who score with them."""
    return _is_moderator(user)
