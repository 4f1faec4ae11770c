"""Who may do what with challenges; used by REST, GraphQL and the web pages alike."""

from typing import Any

from nexus.challenges.models import Challenge, Comment, Solution


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _is_moderator(user: Any) -> bool:
    return bool(getattr(user, "is_moderator", False))


def can_create_challenge(user: Any) -> bool:
    return _signed_in(user)


def can_edit_challenge(user: Any, challenge: Challenge) -> bool:
    return _signed_in(user) and (user.pk == challenge.author_id or _is_moderator(user))


def can_close_challenge(user: Any, challenge: Challenge) -> bool:
    return can_edit_challenge(user, challenge)


def can_mark_duplicate(user: Any, challenge: Challenge) -> bool:
    """Only mentors and admins decide that two challenges are the same."""
    return _signed_in(user) and _is_moderator(user)


def can_answer(user: Any, challenge: Challenge) -> bool:
    return _signed_in(user)


def can_edit_solution(user: Any, solution: Solution) -> bool:
    return _signed_in(user) and (user.pk == solution.author_id or _is_moderator(user))


def can_vote(user: Any, item: Challenge | Solution) -> bool:
    """Anyone signed in may vote, but not on their own post."""
    return _signed_in(user) and user.pk != item.author_id


def can_accept(user: Any, challenge: Challenge) -> bool:
    """The challenge's author or a mentor/admin picks (and changes) the accepted solution."""
    return _signed_in(user) and (user.pk == challenge.author_id or _is_moderator(user))


def can_comment(user: Any, challenge: Challenge) -> bool:
    return _signed_in(user)


def can_edit_comment(user: Any, comment: Comment) -> bool:
    return _signed_in(user) and (user.pk == comment.author_id or _is_moderator(user))
