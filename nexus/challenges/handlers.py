"""Event subscribers of challenges (auto-imported); every one is idempotent."""

from nexus.challenges.services import solutions_flag_linking
from nexus.core import events
from nexus.core.links import breaking_paths
from nexus.core.models import OutboxEvent


@events.subscriber("api.version_created")
def flag_solutions_linking_broken_operations(event: OutboxEvent) -> None:
    """Solutions linking an operation a new spec version broke are flagged 'may be outdated'."""
    paths = breaking_paths(event.payload)
    if paths:
        solutions_flag_linking(
            paths=paths, change=f"API {event.payload.get('api')} v{event.payload.get('version')}"
        )
