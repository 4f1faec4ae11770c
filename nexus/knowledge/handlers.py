"""Event subscribers of the knowledge base (auto-imported); every one is idempotent."""

from nexus.core import events
from nexus.core.links import breaking_paths
from nexus.core.models import OutboxEvent
from nexus.knowledge.services import articles_flag_linking


@events.subscriber("api.version_created")
def flag_articles_linking_broken_operations(event: OutboxEvent) -> None:
    """Articles linking an operation a new spec version broke are flagged 'may be outdated'."""
    paths = breaking_paths(event.payload)
    if paths:
        articles_flag_linking(
            paths=paths, change=f"API {event.payload.get('api')} v{event.payload.get('version')}"
        )
