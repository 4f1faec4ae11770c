"""Turning one committed event into notifications, e-mails and webhook deliveries, in bulk.

The work is done per batch of recipients with a fixed number of queries per batch (one insert of
notifications, one read of preferences, a few updates, one read of webhooks), so an event with
10,000 followers costs tens of queries, not tens of thousands. Every write is keyed by
(event, recipient) or (event, webhook), so fanning out the same event twice changes nothing.
"""

from collections.abc import Iterable

from django.db.models import Q

from nexus.accounts.selectors import user_list
from nexus.core.models import OutboxEvent
from nexus.notifications.channels import CHANNELS
from nexus.notifications.models import Subscription

FANOUT_BATCH = 1000


def _int_ids(values: object) -> set[int]:
    if not isinstance(values, list):
        return set()
    return {int(v) for v in values if isinstance(v, int) or (isinstance(v, str) and v.isdigit())}


def follow_targets(event: OutboxEvent) -> list[tuple[str, str]]:
    """The event's subject and every payload["follow_targets"] pair: their followers hear of it."""
    targets = [(event.subject_type, event.subject_id)] if event.subject_type else []
    for pair in event.payload.get("follow_targets") or []:
        if isinstance(pair, list | tuple) and len(pair) == 2:
            targets.append((str(pair[0]), str(pair[1])))
    return targets


def event_recipient_ids(event: OutboxEvent) -> list[int]:
    """Active users who hear of an event: direct recipients and followers, never the actor."""
    recipients: set[int] = set()
    targets = follow_targets(event)
    if targets:
        matches = Q()
        for target_type, target_id in targets:
            matches |= Q(target_type=target_type, target_id=target_id)
        followers = Subscription.objects.filter(matches, user__is_active=True)
        recipients.update(followers.values_list("user_id", flat=True).distinct())
    direct = _int_ids(event.payload.get("recipient_ids"))
    if direct:
        recipients.update(user_list().filter(pk__in=direct).values_list("pk", flat=True))
    recipients.discard(event.actor_id)
    return sorted(recipients)


def _batches(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def event_fan_out(*, event: OutboxEvent, batch_size: int = FANOUT_BATCH) -> int:
    """Fan an event out through every channel; returns how many recipients it has."""
    recipient_ids = event_recipient_ids(event)
    for batch in _batches(recipient_ids, batch_size):
        for channel in CHANNELS:
            channel.fan_out(event, batch)
    event_work = [channel.fan_out_event(event) for channel in CHANNELS]
    if recipient_ids or any(event_work):
        for channel in CHANNELS:
            channel.dispatch(event)
    return len(recipient_ids)
