"""The index follows events: any event about an object a provider indexes re-indexes it.

Subscribing to every event (rather than a list of names) means a new provider is kept current
from its app's existing events with no change here; events about other objects cost one lookup.
"""

from nexus.core import events
from nexus.core.models import OutboxEvent
from nexus.search import registry, services


@events.subscriber("*")
def reindex_event_subject(event: OutboxEvent) -> None:
    """Re-index (or drop) the event's subject if it is an indexed type, and whatever objects a
    provider says the event changes (`ids_for_event`); idempotent."""
    provider = registry.provider_for_subject(event.subject_type)
    if provider is not None and event.subject_id.isdigit():
        services.object_reindex(doc_type=provider.doc_type, object_id=int(event.subject_id))
    for doc_type, candidate in registry.providers().items():
        ids = list(candidate.ids_for_event(event))
        if ids:
            services.objects_reindex(doc_type=doc_type, object_ids=ids)
