"""Who may do what in the knowledge base; the services call these and raise, front doors show
or hide actions with them."""

from nexus.accounts.models import Viewer
from nexus.accounts.policies import is_signed_in
from nexus.knowledge import reviews
from nexus.knowledge.models import Article, ArticleStatus, Attachment, Comment, LearningPath


def _is_moderator(user: Viewer) -> bool:
    return is_signed_in(user) and user.is_moderator


def can_view_article(user: Viewer, article: Article) -> bool:
    """Published articles are public; drafts and archived ones only their author and mentors;
    one in review also its reviewers."""
    if article.status == ArticleStatus.PUBLISHED:
        return True
    if not is_signed_in(user):
        return False
    if user.pk == article.author_id or user.is_moderator:
        return True
    return article.status == ArticleStatus.IN_REVIEW and reviews.is_reviewer(user, article)


def can_create_article(user: Viewer) -> bool:
    return is_signed_in(user)


def can_edit_article(user: Viewer, article: Article) -> bool:
    """The author edits; mentors and admins curate everybody's articles."""
    return is_signed_in(user) and (user.pk == article.author_id or user.is_moderator)


def can_submit_article_for_review(user: Viewer, article: Article) -> bool:
    """The author puts their own draft in review."""
    return (
        is_signed_in(user)
        and user.pk == article.author_id
        and article.status == ArticleStatus.DRAFT
    )


def can_return_article_to_draft(user: Viewer, article: Article) -> bool:
    """The author withdraws a review request; a reviewer (or a mentor) asks for changes."""
    if not is_signed_in(user) or article.status != ArticleStatus.IN_REVIEW:
        return False
    return user.pk == article.author_id or user.is_moderator or reviews.is_reviewer(user, article)


def can_publish_reviewed_article(user: Viewer, article: Article) -> bool:
    """A reviewer, or a mentor or admin, approves an article in review; never its own author."""
    if not is_signed_in(user) or article.status != ArticleStatus.IN_REVIEW:
        return False
    if user.pk == article.author_id:
        return False
    return user.is_moderator or reviews.is_reviewer(user, article)


def can_manage_technologies(user: Viewer) -> bool:
    return _is_moderator(user)


def can_interact(user: Viewer, article: Article) -> bool:
    """React, bookmark, comment: any signed-in user, on an article they can see."""
    return is_signed_in(user) and can_view_article(user, article)


def can_edit_comment(user: Viewer, comment: Comment) -> bool:
    return is_signed_in(user) and user.pk == comment.author_id and not comment.is_removed


def can_remove_comment(user: Viewer, comment: Comment) -> bool:
    return is_signed_in(user) and (user.pk == comment.author_id or user.is_moderator)


def can_create_path(user: Viewer) -> bool:
    return is_signed_in(user)


def can_edit_path(user: Viewer, path: LearningPath) -> bool:
    return is_signed_in(user) and (user.pk == path.author_id or user.is_moderator)


def can_record_progress(user: Viewer, path: LearningPath) -> bool:
    """Any signed-in learner follows a published path and marks its steps done."""
    return is_signed_in(user) and path.is_published


def can_upload_attachment(user: Viewer) -> bool:
    """Any signed-in user puts images and files into what they write."""
    return is_signed_in(user)


def can_delete_attachment(user: Viewer, attachment: Attachment) -> bool:
    """Its uploader, or a mentor or admin removing what should not be shared."""
    return is_signed_in(user) and (user.pk == attachment.owner_id or user.is_moderator)
