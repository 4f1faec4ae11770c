"""'May be outdated' flags: set when a linked API operation breaks, cleared only by a review.

Editing the body does not clear the flag; the author (or a mentor/admin) reviews the article to
say it is still right, which is the only thing that clears it.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from nexus.accounts.models import User
from nexus.core import clock, events
from nexus.core.links import breaking_reason, contains_any, linked_paths
from nexus.knowledge.models import Article, ArticleStatus
from nexus.knowledge.policies import can_edit_article

REASON_MAX_LENGTH = 300


@transaction.atomic
def article_flag_outdated(*, article: Article, reason: str) -> bool:
    """Flag a published article and tell its author; a no-op (False) if it is already flagged."""
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if locked.outdated_since is not None or locked.status != ArticleStatus.PUBLISHED:
        return False
    locked.outdated_since = clock.now()
    locked.outdated_reason = reason[:REASON_MAX_LENGTH]
    # Not a content change: the version (optimistic lock) and updated_at stay as they are.
    Article.objects.filter(pk=locked.pk).update(
        outdated_since=locked.outdated_since, outdated_reason=locked.outdated_reason
    )
    article.outdated_since, article.outdated_reason = locked.outdated_since, locked.outdated_reason
    events.publish(
        "article.outdated",
        subject=locked,
        actor=None,
        payload={
            "title": locked.title,
            "url": locked.get_absolute_url(),
            "reason": locked.outdated_reason,
            "recipient_ids": [locked.author_id],
        },
    )
    return True


@transaction.atomic
def article_mark_reviewed(*, article: Article, actor: User) -> Article:
    """The author (or a mentor/admin) confirms the article is still right: clears the flag."""
    if not can_edit_article(actor, article):
        raise PermissionDenied("Only the author or a mentor may review this article.")
    Article.objects.filter(pk=article.pk).update(outdated_since=None, outdated_reason="")
    article.outdated_since, article.outdated_reason = None, ""
    return article


def articles_flag_linking(*, paths: dict[str, str], change: str) -> int:
    """Flag every published article whose body links one of the page paths (path -> operation
    key); the reason names `change` and the operations it links. Returns how many were flagged."""
    if not paths:
        return 0
    candidates = Article.objects.filter(
        contains_any("body", paths), status=ArticleStatus.PUBLISHED, outdated_since__isnull=True
    ).only("pk", "body", "body_html")
    flagged = 0
    for article in candidates.iterator():
        linked = linked_paths(article.body_html, article.body) & paths.keys()
        if linked:
            reason = breaking_reason(change, [paths[path] for path in linked])
            flagged += article_flag_outdated(article=article, reason=reason)
    return flagged
