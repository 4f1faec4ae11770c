"""Outgoing webhooks: signed JSON POSTs, one delivery row per (webhook, event)."""

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from nexus.core import clock, outbound, taskqueue
from nexus.core.models import OutboxEvent
from nexus.notifications.models import DeliveryStatus, Webhook, WebhookDelivery

from .base import Channel

# Routing keys of the event contract: they say who hears of an event, not what happened.
ROUTING_KEYS = frozenset(
    {"recipient_ids", "follow_targets", "follower_ids", "author_id", "team_ids"}
)
TEAM_TARGET = "accounts.team"
USER_AGENT = "Nexus-Webhooks/1"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `timestamp + "." + body`, as receivers recompute it."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def delivery_document(event: OutboxEvent) -> dict[str, Any]:
    """What a receiver learns about an event (routing details left out)."""
    return {
        "event": event.name,
        "event_id": str(event.pk),
        "occurred_at": event.created_at.isoformat(),
        "subject": (
            {"type": event.subject_type, "id": event.subject_id} if event.subject_type else None
        ),
        "actor": {"id": event.actor_id} if event.actor_id else None,
        "data": {k: v for k, v in event.payload.items() if k not in ROUTING_KEYS},
    }


def event_team_ids(event: OutboxEvent) -> set[int]:
    """Teams an event is routed to: payload["team_ids"], an accounts.team subject or target."""
    ids: set[int] = set()
    raw = event.payload.get("team_ids")
    if isinstance(raw, list):
        ids.update(int(v) for v in raw if isinstance(v, int) and not isinstance(v, bool))
    pairs = [(event.subject_type, event.subject_id)]
    for pair in event.payload.get("follow_targets") or []:
        if isinstance(pair, list | tuple) and len(pair) == 2:
            pairs.append((str(pair[0]), str(pair[1])))
    ids.update(int(i) for t, i in pairs if t == TEAM_TARGET and str(i).isdigit())
    return ids


@dataclass(frozen=True)
class Attempt:
    ok: bool
    status: int | None
    error: str


def post_delivery(delivery: WebhookDelivery, *, secret: str, url: str) -> Attempt:
    """POST one delivery, signed now; the delivery id is the receiver's idempotency key."""
    body = json.dumps(
        {"id": str(delivery.pk), **delivery.payload}, separators=(",", ":"), sort_keys=True
    ).encode()
    timestamp = str(int(clock.now().timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Nexus-Event": delivery.event_name,
        "X-Nexus-Delivery": str(delivery.pk),
        "X-Nexus-Timestamp": timestamp,
        "X-Nexus-Signature": sign(secret, timestamp, body),
    }
    try:
        response = outbound.fetch(
            url,
            method="POST",
            body=body,
            headers=headers,
            timeout=(settings.NEXUS_WEBHOOK_TIMEOUT, settings.NEXUS_WEBHOOK_TIMEOUT),
            total_timeout=settings.NEXUS_WEBHOOK_TIMEOUT * 2,
            max_bytes=settings.NEXUS_WEBHOOK_MAX_RESPONSE_BYTES,
        )
    except outbound.UnsafeURLError as exc:
        return Attempt(ok=False, status=None, error=f"Refused: {exc}"[:500])
    except outbound.OutboundError as exc:
        return Attempt(ok=False, status=None, error=str(exc)[:500])
    ok = 200 <= response.status < 300
    return Attempt(ok=ok, status=response.status, error="" if ok else f"HTTP {response.status}")


class WebhookChannel(Channel):
    name = "webhook"
    coalesces = False

    def fan_out(self, event: OutboxEvent, recipient_ids: Sequence[int]) -> None:
        hooks = [
            hook
            for hook in Webhook.objects.filter(owner_id__in=recipient_ids, is_active=True)
            if event.name in hook.events
        ]
        if hooks:
            document = delivery_document(event)
            WebhookDelivery.objects.bulk_create(
                [
                    WebhookDelivery(
                        webhook=hook, event_id=event.pk, event_name=event.name, payload=document
                    )
                    for hook in hooks
                ],
                ignore_conflicts=True,
            )

    def fan_out_event(self, event: OutboxEvent) -> bool:
        """Team webhooks: the teams an event is routed to hear of it (one read, one insert)."""
        team_ids = event_team_ids(event)
        if not team_ids:
            return False
        hooks = [
            hook
            for hook in Webhook.objects.filter(team_id__in=team_ids, is_active=True)
            if event.name in hook.events
        ]
        if not hooks:
            return False
        document = delivery_document(event)
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    webhook=hook, event_id=event.pk, event_name=event.name, payload=document
                )
                for hook in hooks
            ],
            ignore_conflicts=True,
        )
        return True

    def dispatch(self, event: OutboxEvent) -> None:
        pending = WebhookDelivery.objects.filter(event_id=event.pk, status=DeliveryStatus.PENDING)
        for delivery_id in pending.values_list("pk", flat=True):
            taskqueue.enqueue("nexus.notifications.tasks.deliver_webhook", str(delivery_id))
