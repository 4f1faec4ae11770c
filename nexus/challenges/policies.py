"""Who may do what with challenges; the services call these and raise, front doors show or hide
actions with them."""

from nexus.accounts.models import Viewer
from nexus.accounts.policies import is_signed_in
from nexus.challenges.models import Challenge, Comment, Solution


def _is_moderator(user: Viewer) -> bool:
    return is_signed_in(user) and user.is_moderator


def can_create_challenge(user: Viewer) -> bool:
    return is_signed_in(user)


def can_edit_challenge(user: Viewer, challenge: Challenge) -> bool:
    return is_signed_in(user) and (user.pk == challenge.author_id or user.is_moderator)


def can_close_challenge(user: Viewer, challenge: Challenge) -> bool:
    return can_edit_challenge(user, challenge)


def can_mark_duplicate(user: Viewer, challenge: Challenge) -> bool:
    """Only mentors and admins decide that two challenges are the same."""
    return _is_moderator(user)


def can_answer(user: Viewer, challenge: Challenge) -> bool:
    return is_signed_in(user)


def can_edit_solution(user: Viewer, solution: Solution) -> bool:
    return is_signed_in(user) and (user.pk == solution.author_id or user.is_moderator)


def can_vote(user: Viewer, item: Challenge | Solution) -> bool:
    """Anyone signed in may vote, but not on their own post."""
    return is_signed_in(user) and user.pk != item.author_id


def can_accept(user: Viewer, challenge: Challenge) -> bool:
    """The challenge's author or a mentor/admin picks (and changes) the accepted solution."""
    return is_signed_in(user) and (user.pk == challenge.author_id or user.is_moderator)


def can_comment(user: Viewer, challenge: Challenge) -> bool:
    return is_signed_in(user)


def can_edit_comment(user: Viewer, comment: Comment) -> bool:
    return is_signed_in(user) and (user.pk == comment.author_id or user.is_moderator)
