"""An article's way through review: draft → in review → published, or back to draft.

The reviewing app (mentorship) decides and calls these; only they move an article into or out of
"in review", and only an approved review publishes past the publish gate (nexus.knowledge.reviews).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from nexus.accounts.models import User
from nexus.knowledge import policies
from nexus.knowledge.models import Article, ArticleStatus
from nexus.knowledge.services.articles import _apply_update


def _locked(article: Article) -> Article:
    # The status is read under a row lock, so a decision and an edit never cross unseen.
    return (
        Article.objects.select_related("author").select_for_update(of=("self",)).get(pk=article.pk)
    )


def _move(article: Article, *, editor: User, status: str, message: str) -> Article:
    return _apply_update(
        article=article,
        editor=editor,
        expected_version=article.version,
        message=message,
        reverted_from=None,
        changes={"status": status},
    )


@transaction.atomic
def article_submit_for_review(*, article: Article, actor: User) -> Article:
    """The author's draft goes into review (a new revision, the one reviewers comment on)."""
    article = _locked(article)
    if not policies.can_submit_article_for_review(actor, article):
        raise PermissionDenied("Only the author may put their draft in review.")
    return _move(article, editor=actor, status=ArticleStatus.IN_REVIEW, message="Review requested")


@transaction.atomic
def article_return_to_draft(*, article: Article, actor: User, message: str = "") -> Article:
    """An article in review goes back to being a draft (changes requested, or withdrawn)."""
    article = _locked(article)
    if not policies.can_return_article_to_draft(actor, article):
        raise PermissionDenied("Only the author or a reviewer may end this review.")
    return _move(
        article, editor=actor, status=ArticleStatus.DRAFT, message=message or "Back to draft"
    )


@transaction.atomic
def article_publish_reviewed(*, article: Article, actor: User) -> Article:
    """A reviewer approved: the article is published, announced like any other."""
    article = _locked(article)
    if not policies.can_publish_reviewed_article(actor, article):
        raise PermissionDenied("Only a reviewer of this article may approve it.")
    return _move(
        article, editor=actor, status=ArticleStatus.PUBLISHED, message="Published after review"
    )
