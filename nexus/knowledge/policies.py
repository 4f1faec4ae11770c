"""Who may do what in the knowledge base; used by REST, GraphQL and the web pages alike."""

from typing import Any

from nexus.knowledge.models import Article, ArticleStatus, Comment, LearningPath


def _is_moderator(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_moderator)


def can_view_article(user: Any, article: Article) -> bool:
    """Published articles are public; drafts and archived ones only their author and mentors."""
    if article.status == ArticleStatus.PUBLISHED:
        return True
    return bool(user.is_authenticated and (user.pk == article.author_id or user.is_moderator))


def can_create_article(user: Any) -> bool:
    return bool(user.is_authenticated)


def can_edit_article(user: Any, article: Article) -> bool:
    """The author edits; mentors and admins curate everybody's articles."""
    return bool(user.is_authenticated and (user.pk == article.author_id or user.is_moderator))


def can_manage_technologies(user: Any) -> bool:
    return _is_moderator(user)


def can_interact(user: Any, article: Article) -> bool:
    """React, bookmark, comment: any signed-in user, on an article they can see."""
    return bool(user.is_authenticated and can_view_article(user, article))


def can_edit_comment(user: Any, comment: Comment) -> bool:
    return bool(user.is_authenticated and user.pk == comment.author_id and not comment.is_removed)


def can_remove_comment(user: Any, comment: Comment) -> bool:
    return bool(user.is_authenticated and (user.pk == comment.author_id or user.is_moderator))


def can_create_path(user: Any) -> bool:
    return bool(user.is_authenticated)


def can_edit_path(user: Any, path: LearningPath) -> bool:
    return bool(user.is_authenticated and (user.pk == path.author_id or user.is_moderator))
