"""Chapa's webhooks: stored once as they arrive, processed later by whoever owns their prefix.

The endpoint only checks the signature and the age, stores the ChapaEvent and publishes
`chapa.webhook_received` in the same transaction, then answers; the outbox subscriber
(handlers.py) calls `chapa_event_process`, which hands the event to the handler registered for
its prefix ("charge." → charges, "payout." → payouts). Handlers must be idempotent: they verify
with Chapa and settle through services that settle once.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction

from nexus.core import clock, events
from nexus.payments.models import ChapaEvent

logger = logging.getLogger(__name__)

EventHandler = Callable[[ChapaEvent], str]
_handlers: dict[str, EventHandler] = {}


def register_event_handler(prefix: str, handler: EventHandler) -> None:
    """Handle Chapa events whose name starts with `prefix`; the handler returns an outcome."""
    _handlers[prefix] = handler


def handler_for(event_name: str) -> EventHandler | None:
    matches = [prefix for prefix in _handlers if event_name.startswith(prefix)]
    return _handlers[max(matches, key=len)] if matches else None


def chapa_event_receive(*, event: str, reference: str, payload: dict[str, Any]) -> ChapaEvent:
    """Store a verified webhook once per (reference, event) and queue its processing; a replay
    returns the row already stored and queues nothing."""
    existing = ChapaEvent.objects.filter(reference=reference, event=event).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            stored = ChapaEvent.objects.create(event=event, reference=reference, payload=payload)
            events.publish(
                "chapa.webhook_received",
                subject=stored,
                payload={"event": event, "reference": reference},
            )
            return stored
    except IntegrityError:
        # The same webhook delivered twice at once: the other delivery stored it.
        return ChapaEvent.objects.get(reference=reference, event=event)


def chapa_event_process(*, event_id: int) -> str:
    """Run a stored webhook through its prefix's handler once; a processed one is left alone."""
    stored = ChapaEvent.objects.get(pk=event_id)
    if stored.processed_at is not None:
        return stored.outcome
    handler = handler_for(stored.event)
    outcome = handler(stored) if handler else f"no handler for {stored.event}"
    ChapaEvent.objects.filter(pk=stored.pk, processed_at__isnull=True).update(
        processed_at=clock.now(), outcome=outcome[:300], updated_at=clock.now()
    )
    return outcome
