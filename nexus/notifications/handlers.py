"""The notifications app listens to every event: follows first, then the fan-out."""

from nexus.core import events
from nexus.core.models import OutboxEvent
from nexus.notifications import fanout, services


@events.subscriber("*")
def notify_about_event(event: OutboxEvent) -> None:
    """Authors/commenters start following the subject; then everyone concerned is notified."""
    services.subscriptions_follow_from_event(event=event)
    fanout.event_fan_out(event=event)
