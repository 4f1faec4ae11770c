from celery import shared_task

from nexus.search import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def reindex_object(doc_type: str, object_id: int) -> bool:
    """Bring one object's index entry in line with the object."""
    return services.object_reindex(doc_type=doc_type, object_id=object_id)


@shared_task
def sync_search_index() -> dict[str, int]:
    """Periodic: index objects changed without an event (drafts, archiving), drop the gone."""
    return services.index_sync()
