"""The index follows events: any event about an object a provider indexes re-indexes it.

Subscribing to every event (rather than a list of names) means a new provider is kept current
from its app's existing events with no change here; events about other objects cost one lookup.
"""

from nexus.core import events
from nexus.core.models import OutboxEvent
from nexus.search import registry, services


@events.subscriber("*")
def reindex_event_subject(event: OutboxEvent) -> None:
    """Re-index (or drop) the event's subject if it is an indexed type; idempotent."""
    provider = registry.provider_for_subject(event.subject_type)
    if provider is None or not event.subject_id.isdigit():
        return
    services.object_reindex(doc_type=provider.doc_type, object_id=int(event.subject_id))
