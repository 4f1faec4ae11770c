"""Turning committed events into notifications, e-mails and webhook deliveries, in bulk.

The work is done per batch of recipients with a fixed number of queries per batch (one insert of
notifications, one read of preferences, a few updates, one read of webhooks), so an event with
10,000 followers costs tens of queries, not tens of thousands. Every write is keyed by
(event, recipient) or (event, webhook), so fanning out the same event twice changes nothing.

Events handed over together (an import's) coalesce for people: a follower hears once of each
kind of change by each actor ("Article published: Docker networks (and 11 more)"), while
webhooks, which integrations read, still receive every event.
"""

import copy
from collections import defaultdict
from collections.abc import Iterable, Sequence

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


def recipients_by_event(events: Sequence[OutboxEvent]) -> dict[object, list[int]]:
    """Each event's active users who hear of it (direct recipients and followers, never its
    actor), for many events in at most two queries."""
    targets = {event.pk: follow_targets(event) for event in events}
    ids_by_type: dict[str, set[str]] = defaultdict(set)
    for target_type, target_id in (pair for pairs in targets.values() for pair in pairs):
        ids_by_type[target_type].add(target_id)
    followers: dict[tuple[str, str], set[int]] = defaultdict(set)
    if ids_by_type:
        matches = Q()
        for target_type, target_ids in ids_by_type.items():
            matches |= Q(target_type=target_type, target_id__in=sorted(target_ids))
        rows = Subscription.objects.filter(matches, user__is_active=True).values_list(
            "user_id", "target_type", "target_id"
        )
        for user_id, target_type, target_id in rows:
            followers[(target_type, target_id)].add(user_id)
    direct = {event.pk: _int_ids(event.payload.get("recipient_ids")) for event in events}
    wanted = set().union(*direct.values())
    active = set(user_list().filter(pk__in=wanted).values_list("pk", flat=True) if wanted else [])
    recipients: dict[object, list[int]] = {}
    for event in events:
        found = (direct[event.pk] & active).union(*(followers[pair] for pair in targets[event.pk]))
        found.discard(event.actor_id)
        recipients[event.pk] = sorted(found)
    return recipients


def _batches(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def event_fan_out(*, event: OutboxEvent, batch_size: int = FANOUT_BATCH) -> int:
    """Fan an event out through every channel; returns how many recipients it has."""
    recipient_ids = recipients_by_event([event])[event.pk]
    for batch in _batches(recipient_ids, batch_size):
        for channel in CHANNELS:
            channel.fan_out(event, batch)
    event_work = [channel.fan_out_event(event) for channel in CHANNELS]
    if recipient_ids or any(event_work):
        for channel in CHANNELS:
            channel.dispatch(event)
    return len(recipient_ids)


def _coalesced(event: OutboxEvent, count: int) -> OutboxEvent:
    """The first of `count` like events, titled for all of them (never saved)."""
    if count == 1:
        return event
    summary = copy.copy(event)
    title = str(event.payload.get("title") or "").strip()
    more = f"and {count - 1} more"
    title = f"{title} ({more})" if title else more.capitalize()
    summary.payload = {**event.payload, "title": title}
    return summary


def events_fan_out(*, events: Sequence[OutboxEvent], batch_size: int = FANOUT_BATCH) -> int:
    """Fan out events handed over together: people hear once of each kind of change by each
    actor, webhooks of every event. Returns how many notifications people get."""
    if len(events) == 1:
        return event_fan_out(event=events[0], batch_size=batch_size)
    recipients = recipients_by_event(events)
    heard: dict[tuple[str, int | None, int], list[OutboxEvent]] = defaultdict(list)
    for event in events:
        for recipient_id in recipients[event.pk]:
            heard[(event.name, event.actor_id, recipient_id)].append(event)
    summaries: dict[tuple[object, int], list[int]] = defaultdict(list)
    for (_name, _actor, recipient_id), like_events in heard.items():
        summaries[(like_events[0].pk, len(like_events))].append(recipient_id)
    by_pk: dict[object, OutboxEvent] = {event.pk: event for event in events}
    for (event_pk, count), people in summaries.items():
        summary = _coalesced(by_pk[event_pk], count)
        for batch in _batches(people, batch_size):
            for channel in CHANNELS:
                if channel.coalesces:
                    channel.fan_out(summary, batch)
    for event in events:
        for batch in _batches(recipients[event.pk], batch_size):
            for channel in CHANNELS:
                if not channel.coalesces:
                    channel.fan_out(event, batch)
        event_work = [channel.fan_out_event(event) for channel in CHANNELS]
        if recipients[event.pk] or any(event_work):
            for channel in CHANNELS:
                channel.dispatch(event)
    return sum(len(people) for people in summaries.values())
