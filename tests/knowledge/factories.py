import importlib

from django.apps import apps

from nexus.knowledge import services
from nexus.knowledge.models import Article, Technology


def ensure_taxonomy() -> None:
    """Transactional tests flush every table, the shipped taxonomy included: load it again."""
    if not Technology.objects.exists():
        migration = importlib.import_module("nexus.knowledge.migrations.0002_default_taxonomy")
        migration.add_taxonomy(apps, None)


def make_article(author, **fields) -> Article:
    """An article made through the service, so it is rendered and has revision 1."""
    values = {
        "title": "Caching with Redis",
        "body": "# Why cache\n\nKeep hot data in memory.",
        "summary": "How and when to cache.",
        "technologies": ["redis"],
        "tags": ["performance"],
        "status": "published",
    }
    values.update(fields)
    return services.article_create(author=author, **values)
