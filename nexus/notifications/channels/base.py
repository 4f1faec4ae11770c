from collections.abc import Sequence

from nexus.core.models import OutboxEvent


class Channel:
    """A kind of notification. Both steps must be idempotent: an event can be fanned out twice."""

    name = ""
    # People's channels coalesce like events handed over together; integrations' do not.
    coalesces = True

    def fan_out(self, event: OutboxEvent, recipient_ids: Sequence[int]) -> None:
        """Record this channel's work for one batch of recipients, in bounded queries."""

    def fan_out_event(self, event: OutboxEvent) -> bool:
        """Work that depends on the event, not on its recipients; True when there is some."""
        return False

    def dispatch(self, event: OutboxEvent) -> None:
        """After every batch: enqueue the slow part (sending) as background tasks."""
