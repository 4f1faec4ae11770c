"""The notifications app listens to every event: follows first, then the fan-out."""

from collections.abc import Sequence

from nexus.core import events
from nexus.core.models import OutboxEvent
from nexus.notifications import fanout, services


@events.batch_subscriber("*")
def notify_about_event(batch: Sequence[OutboxEvent]) -> None:
    """Authors/commenters start following the subjects; then everyone concerned is notified."""
    services.subscriptions_follow_from_events(events=batch)
    fanout.events_fan_out(events=batch)
