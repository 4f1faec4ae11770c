from celery import shared_task

from nexus.core import events, taskqueue
from nexus.core.models import OutboxEvent


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def run_subscriber(event_id: str, subscriber_key: str) -> bool:
    """Deliver one event to one subscriber; subscribers are idempotent, so retrying is safe."""
    event = OutboxEvent.objects.filter(pk=event_id).select_related("actor").first()
    function = events.subscribers_for(event.name).get(subscriber_key) if event else None
    if event is None or function is None:
        return False
    function(event)
    return True


@shared_task
def sweep_pending_events() -> int:
    """Periodic: hand over events and tasks the broker could not take when they were committed."""
    return events.sweep_pending_events() + taskqueue.sweep_deferred_tasks()
