"""The index follows events: any event about an object a provider indexes re-indexes it.

Subscribing to every event (rather than a list of names) means a new provider is kept current
from its app's existing events with no change here; events about other objects cost one lookup.
"""

from collections import defaultdict
from collections.abc import Sequence

from nexus.core import events
from nexus.core.models import OutboxEvent
from nexus.search import registry, services


@events.batch_subscriber("*")
def reindex_event_subject(batch: Sequence[OutboxEvent]) -> None:
    """Re-index (or drop) each event's subject if it is an indexed type, and whatever objects a
    provider says the event changes (`ids_for_event`): one bulk pass per type; idempotent."""
    wanted: dict[str, set[int]] = defaultdict(set)
    providers = registry.providers()
    for event in batch:
        provider = registry.provider_for_subject(event.subject_type)
        if provider is not None and event.subject_id.isdigit():
            wanted[provider.doc_type].add(int(event.subject_id))
        for doc_type, candidate in providers.items():
            wanted[doc_type].update(candidate.ids_for_event(event))
    for doc_type, ids in wanted.items():
        if ids:
            services.objects_reindex(doc_type=doc_type, object_ids=ids)
