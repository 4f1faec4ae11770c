"""Domain events through a transactional outbox.

A feature calls `publish(...)` inside the transaction that makes its change. After commit the
event is handed to Celery as one task per subscriber; if the broker is unreachable the event stays
pending and `sweep_pending_events` hands it over later. Subscribers register with `@subscriber`
(one event at a time) or `@batch_subscriber` (a list of events, to do their work in bulk), in
their app's handlers.py, and must be idempotent: an event can reach them more than once.

Work that writes many objects at once (an import) runs inside `batched()`: the events it commits
are handed over together when it ends, one task per subscriber for all of them.
"""

import contextvars
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from itertools import batched as chunked
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import models, transaction

from nexus.core import clock, taskqueue
from nexus.core.models import OutboxEvent

if TYPE_CHECKING:
    from nexus.accounts.models import Viewer

logger = logging.getLogger(__name__)

Subscriber = Callable[[OutboxEvent], None]
BatchSubscriber = Callable[[Sequence[OutboxEvent]], None]


@dataclass(frozen=True)
class Handler:
    function: Callable[[Any], None]
    takes_batch: bool

    def __call__(self, events: Sequence[OutboxEvent]) -> None:
        if self.takes_batch:
            self.function(events)
            return
        for event in events:
            self.function(event)


_subscribers: dict[str, dict[str, Handler]] = defaultdict(dict)
# The events committed inside the current `batched()` block, or None outside one.
_batch: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar("batch", default=None)

SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 500
# Events per subscriber task: bounded, so one task never holds a huge batch in memory or retries it.
HAND_OVER_CHUNK = 500


def _register(event_names: tuple[str, ...], function: Any, *, takes_batch: bool) -> None:
    # The key names the function in queued messages: renaming it orphans those messages.
    key = f"{function.__module__}.{function.__qualname__}"
    for name in event_names:
        _subscribers[name][key] = Handler(function, takes_batch)


def subscriber(*event_names: str) -> Callable[[Subscriber], Subscriber]:
    """Register a function to receive the named events one at a time (`"*"` for all of them)."""

    def register(function: Subscriber) -> Subscriber:
        _register(event_names, function, takes_batch=False)
        return function

    return register


def batch_subscriber(*event_names: str) -> Callable[[BatchSubscriber], BatchSubscriber]:
    """Register a function to receive the named events as a list (one or many at a time)."""

    def register(function: BatchSubscriber) -> BatchSubscriber:
        _register(event_names, function, takes_batch=True)
        return function

    return register


def subscribers_for(event_name: str) -> dict[str, Handler]:
    """Everything subscribed to an event, by a stable key."""
    return {**_subscribers.get("*", {}), **_subscribers.get(event_name, {})}


def deliver(subscriber_key: str, events: Sequence[OutboxEvent]) -> int:
    """Give a subscriber the events it is (still) subscribed to; returns how many it got."""
    wanted = [event for event in events if subscriber_key in subscribers_for(event.name)]
    if wanted:
        subscribers_for(wanted[0].name)[subscriber_key](wanted)
    return len(wanted)


@contextmanager
def batched() -> Iterator[None]:
    """Hold back the hand-over of events committed inside until the block ends, then hand them
    over together, so subscribers work in bulk. Nested blocks join the outermost one."""
    if _batch.get() is not None:
        yield
        return
    committed: list[Any] = []
    token = _batch.set(committed)
    try:
        yield
    finally:
        _batch.reset(token)
        if committed:
            hand_over(committed)


def _committed(event_ids: list[Any]) -> None:
    batch = _batch.get()
    if batch is None:
        hand_over(event_ids)
    else:
        batch.extend(event_ids)


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
    transaction.on_commit(lambda: _committed([event.pk]))
    return event


@dataclass(frozen=True)
class Announcement:
    """One event of `publish_many`: what `publish` takes besides the name."""

    subject: models.Model | None = None
    actor: "Viewer | None" = None
    payload: dict[str, Any] | None = None


def publish_many(name: str, announcements: Sequence[Announcement]) -> list[OutboxEvent]:
    """`publish` for many events of one name, in one insert."""
    user_model = get_user_model()
    recorded = OutboxEvent.objects.bulk_create(
        [
            OutboxEvent(
                name=name,
                actor=item.actor if isinstance(item.actor, user_model) else None,
                subject_type=item.subject._meta.label_lower if item.subject is not None else "",
                subject_id=str(item.subject.pk) if item.subject is not None else "",
                payload=item.payload or {},
            )
            for item in announcements
        ]
    )
    if recorded:
        transaction.on_commit(lambda: _committed([event.pk for event in recorded]))
    return recorded


def hand_over(event_ids: Sequence[Any]) -> int:
    """Enqueue the events' subscribers, one task per subscriber for up to HAND_OVER_CHUNK events;
    returns how many events were handed over. Any that fail stay pending for the sweep."""
    handed = 0
    order = {pk: position for position, pk in enumerate(event_ids)}
    pending = OutboxEvent.objects.filter(pk__in=list(order), handed_over_at__isnull=True)
    # In the order given (the order they were published): events written together share a time.
    rows = sorted(pending.values_list("pk", "name"), key=lambda row: order[row[0]])
    for chunk in chunked(rows, HAND_OVER_CHUNK):
        ids = [pk for pk, _name in chunk]
        OutboxEvent.objects.filter(pk__in=ids).update(
            hand_over_attempts=models.F("hand_over_attempts") + 1
        )
        by_subscriber: dict[str, list[str]] = defaultdict(list)
        for pk, name in chunk:
            for key in subscribers_for(name):
                by_subscriber[key].append(str(pk))
        try:
            for key, subscribed in by_subscriber.items():
                # By name: nexus.core.tasks imports this module.
                if len(subscribed) == 1:
                    taskqueue.enqueue("nexus.core.tasks.run_subscriber", subscribed[0], key)
                else:
                    taskqueue.enqueue("nexus.core.tasks.run_subscriber_batch", subscribed, key)
        except Exception:  # broker down, or an inline subscriber failed: the sweep retries
            names = sorted({name for _pk, name in chunk})
            logger.warning("%d events (%s) not handed over yet", len(ids), names, exc_info=True)
            continue
        OutboxEvent.objects.filter(pk__in=ids).update(handed_over_at=clock.now())
        handed += len(ids)
    return handed


def sweep_pending_events() -> int:
    """Hand over committed events that are still pending after a grace period."""
    cutoff = clock.now() - SWEEP_GRACE
    pending = OutboxEvent.objects.filter(handed_over_at__isnull=True, created_at__lt=cutoff)
    oldest = pending.order_by("created_at").values_list("pk", flat=True)[:SWEEP_BATCH]
    return hand_over(list(oldest))
