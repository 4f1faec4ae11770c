"""Articles and technologies can be followed (nexus/notifications/followable.py)."""

from nexus.accounts.models import Viewer
from nexus.core.ids import pk_from_id
from nexus.knowledge.models import Article, Technology
from nexus.knowledge.policies import can_view_article
from nexus.notifications.followable import register_followable


def _may_follow_article(user: Viewer, target_id: str) -> bool:
    pk = pk_from_id(target_id)
    article = Article.objects.filter(pk=pk).first() if pk is not None else None
    return article is not None and can_view_article(user, article)


def _may_follow_technology(user: Viewer, target_id: str) -> bool:
    return Technology.objects.filter(slug=target_id).exists()


register_followable("knowledge.article", _may_follow_article)
register_followable("knowledge.technology", _may_follow_technology)
