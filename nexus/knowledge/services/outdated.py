"""'May be outdated' flags on articles (nexus.core.outdated); only published ones are flagged."""

from django.db.models import Q

from nexus.accounts.models import User
from nexus.core.outdated import OutdatedFlags
from nexus.knowledge.models import Article, ArticleStatus
from nexus.knowledge.policies import can_edit_article


def _payload(article: Article) -> dict[str, object]:
    return {
        "title": article.title,
        "url": article.get_absolute_url(),
        "reason": article.outdated_reason,
        "recipient_ids": [article.author_id],
    }


FLAGS = OutdatedFlags(
    model=Article,
    event="article.outdated",
    payload=_payload,
    may_review=can_edit_article,
    refusal="Only the author or a mentor may review this article.",
    flaggable=Q(status=ArticleStatus.PUBLISHED),
)


def article_flag_outdated(*, article: Article, reason: str) -> bool:
    """Flag a published article and tell its author; a no-op (False) if it is already flagged."""
    return FLAGS.flag(item=article, reason=reason)


def article_mark_reviewed(*, article: Article, actor: User) -> Article:
    """The author (or a mentor/admin) confirms the article is still right: clears the flag."""
    return FLAGS.mark_reviewed(item=article, actor=actor)


def articles_flag_linking(*, paths: dict[str, str], change: str) -> int:
    """Flag every published article whose body links one of the page paths (path -> operation)."""
    return FLAGS.flag_linking(paths=paths, change=change)
