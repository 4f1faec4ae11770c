"""Domain events through a transactional outbox.

A feature calls `publish(...)` inside the transaction that makes its change. After commit the
event is handed to Celery as one task per subscriber; if the broker is unreachable the event stays
pending and `sweep_pending_events` hands it over later. Subscribers register with `@subscriber`
(in their app's handlers.py) and must be idempotent: an event can reach them more than once.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import models, transaction

from nexus.core import clock, taskqueue
from nexus.core.models import OutboxEvent

if TYPE_CHECKING:
    from nexus.accounts.models import Viewer

logger = logging.getLogger(__name__)

Subscriber = Callable[[OutboxEvent], None]
_subscribers: dict[str, dict[str, Subscriber]] = defaultdict(dict)

SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 500


def subscriber(*event_names: str) -> Callable[[Subscriber], Subscriber]:
    """Register a function to receive the named events (`"*"` for all of them)."""

    def register(function: Subscriber) -> Subscriber:
        key = f"{function.__module__}.{function.__qualname__}"
        for name in event_names:
            _subscribers[name][key] = function
        return function

    return register


def subscribers_for(event_name: str) -> dict[str, Subscriber]:
    """Everything subscribed to an event, by a stable key."""
    return {**_subscribers.get("*", {}), **_subscribers.get(event_name, {})}


def publish(
    name: str,
    *,
    subject: models.Model | None = None,
    actor: "Viewer | None" = None,
    payload: dict[str, Any] | None = None,
) -> OutboxEvent:
    """Record an event with the current transaction; it is handed over only if that commits."""
    event = OutboxEvent.objects.create(
        name=name,
        # An anonymous visitor is recorded as no actor, like a system change.
        actor=actor if isinstance(actor, get_user_model()) else None,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        payload=payload or {},
    )
    transaction.on_commit(lambda: hand_over([event.pk]))
    return event


def hand_over(event_ids: Iterable[Any]) -> int:
    """Enqueue one task per subscriber for each event; returns how many events were handed over."""
    handed = 0
    for event in OutboxEvent.objects.filter(pk__in=list(event_ids), handed_over_at__isnull=True):
        OutboxEvent.objects.filter(pk=event.pk).update(
            hand_over_attempts=models.F("hand_over_attempts") + 1
        )
        try:
            for key in subscribers_for(event.name):
                # By name: nexus.core.tasks imports this module.
                taskqueue.enqueue("nexus.core.tasks.run_subscriber", str(event.pk), key)
        except Exception:  # broker down, or an inline subscriber failed: the sweep retries
            logger.warning("Event %s (%s) not handed over yet", event.pk, event.name, exc_info=True)
            continue
        OutboxEvent.objects.filter(pk=event.pk).update(handed_over_at=clock.now())
        handed += 1
    return handed


def sweep_pending_events() -> int:
    """Hand over committed events that are still pending after a grace period."""
    cutoff = clock.now() - SWEEP_GRACE
    pending = OutboxEvent.objects.filter(handed_over_at__isnull=True, created_at__lt=cutoff)
    return hand_over(pending.order_by("created_at").values_list("pk", flat=True)[:SWEEP_BATCH])
