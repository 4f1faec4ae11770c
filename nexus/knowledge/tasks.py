"""Background work for the knowledge base: small tasks that take ids and call a service."""

from celery import shared_task

from nexus.knowledge import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def refresh_links_to_article(slug: str) -> int:
    """Re-render the articles that link to `slug`, whose link just appeared or went away."""
    return services.refresh_links_to(slug=slug)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def refresh_links_to_articles(slugs: list[str]) -> int:
    """`refresh_links_to_article` for many new articles (an import's) in one pass."""
    return services.refresh_links_to_many(slugs=slugs)
