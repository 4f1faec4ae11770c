from collections.abc import Sequence

from nexus.core.models import OutboxEvent
from nexus.notifications.models import Notification
from nexus.notifications.registry import label_for

from .base import Channel


def notification_title(event: OutboxEvent) -> str:
    """What the bell says: the payload's title, prefixed with what happened."""
    title = str(event.payload.get("title") or "").strip()
    label = label_for(event.name)
    return (f"{label}: {title}" if title else label)[:300]


def safe_link(value: object) -> str:
    """Only site-relative links: a payload can never make the bell link to javascript: or away."""
    url = str(value or "")
    return url[:500] if url.startswith("/") and not url.startswith("//") else ""


class InAppChannel(Channel):
    name = "in_app"

    def fan_out(self, event: OutboxEvent, recipient_ids: Sequence[int]) -> None:
        title = notification_title(event)
        url = safe_link(event.payload.get("url"))
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=recipient_id,
                    event_id=event.pk,
                    event_name=event.name,
                    actor_id=event.actor_id,
                    subject_type=event.subject_type,
                    subject_id=event.subject_id,
                    title=title,
                    url=url,
                )
                for recipient_id in recipient_ids
            ],
            batch_size=len(recipient_ids) or 1,
            # The unique (event, recipient) constraint turns a second fan-out into a no-op.
            ignore_conflicts=True,
        )
