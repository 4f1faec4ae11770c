"""Consumers of an API, and the alerts they get when a version breaks what they use."""

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from nexus.accounts.models import Team, TeamMembership, User
from nexus.collab import policies
from nexus.collab.models import (
    AlertChange,
    Api,
    ApiConsumer,
    BreakingChangeAlert,
    Operation,
    SpecChange,
    SpecVersion,
)
from nexus.core import clock, events

MAX_CONSUMED_OPERATIONS = 500


@transaction.atomic
def consumer_declare(
    *,
    api: Api,
    actor: User,
    team: Team | None = None,
    operations: list[str] | None = None,
) -> ApiConsumer:
    """Declare that the actor (or one of their teams) uses an API, optionally naming operations."""
    if not policies.can_declare_consumer(actor, api):
        raise PermissionDenied("Sign in to say you use an API.")
    keys = sorted(set(operations or []))
    if len(keys) > MAX_CONSUMED_OPERATIONS:
        raise ValidationError({"operations": ["Name at most 500 operations."]})
    if keys:
        known = set(Operation.objects.filter(api=api, key__in=keys).values_list("key", flat=True))
        unknown = [key for key in keys if key not in known]
        if unknown:
            raise ValidationError(
                {"operations": [f"Not an operation of this API: {', '.join(unknown[:5])}."]}
            )
    if team is not None and not policies.can_act_for_team(actor, team):
        raise ValidationError({"team": ["You can only declare consumption for your own teams."]})
    lookup = {"team": team} if team is not None else {"user": actor}
    consumer, _ = ApiConsumer.objects.update_or_create(
        api=api, **lookup, defaults={"operations": keys, "created_by": actor}
    )
    return consumer


@transaction.atomic
def consumer_remove(*, consumer: ApiConsumer, actor: User) -> None:
    """Stop consuming an API."""
    if not policies.can_remove_consumer(actor, consumer):
        raise PermissionDenied("Only the consumer, or a member of its team, stops consuming.")
    consumer.delete()


def _recipients(consumers: list[ApiConsumer]) -> dict[int, set[str]]:
    """Each recipient's consumed operation keys; an empty set means every operation."""
    team_members: dict[int, list[int]] = defaultdict(list)
    team_ids = [c.team_id for c in consumers if c.team_id]
    for team_id, user_id in TeamMembership.objects.filter(team_id__in=team_ids).values_list(
        "team_id", "user_id"
    ):
        team_members[team_id].append(user_id)
    wanted: dict[int, set[str] | None] = {}
    for consumer in consumers:
        users: list[int | None] = (
            list(team_members[consumer.team_id]) if consumer.team_id else [consumer.user_id]
        )
        keys = set(consumer.operations) or None
        for recipient in users:
            if recipient is None:
                continue
            current = wanted.get(recipient, set())
            wanted[recipient] = None if keys is None or current is None else current | keys
    return {user_id: keys or set() for user_id, keys in wanted.items()}


def alert_consumers(
    *, version: SpecVersion, changes: list[SpecChange], actor: User | None = None
) -> list[BreakingChangeAlert]:
    """Record an alert for every consumer touched by these breaking changes and publish it."""
    api = version.api
    consumers = list(ApiConsumer.objects.filter(api=api))
    alerts = []
    url = reverse("collab:version_detail", args=[api.slug, version.number])
    recipient_ids = []
    for user_id, keys in _recipients(consumers).items():
        touched = [c for c in changes if not keys or not c.operation_key or c.operation_key in keys]
        if not touched:
            continue
        alert, _ = BreakingChangeAlert.objects.get_or_create(
            recipient_id=user_id, version=version, defaults={"api": api}
        )
        AlertChange.objects.bulk_create(
            [AlertChange(alert=alert, change=change) for change in touched],
            ignore_conflicts=True,
        )
        alerts.append(alert)
        recipient_ids.append(user_id)
    if recipient_ids:
        events.publish(
            "api.breaking_change",
            subject=version,
            actor=actor,
            payload={
                "recipient_ids": recipient_ids,
                "title": f"{api.name} v{version.number} has {len(changes)} breaking change(s)",
                "url": url,
                "api": api.slug,
                "version": version.number,
                "changes": [
                    {"id": c.pk, "kind": c.kind, "operation": c.operation_key, "detail": c.detail}
                    for c in changes
                ],
                "affected_operations": sorted(
                    {c.operation_key for c in changes if c.operation_key}
                ),
            },
        )
    return alerts


def alert_mark_read(*, alert: BreakingChangeAlert, actor: User) -> BreakingChangeAlert:
    """Mark an alert read; reading twice keeps the first time."""
    if not policies.can_read_alert(actor, alert):
        raise PermissionDenied("This alert is someone else's.")
    if alert.read_at is None:
        alert.read_at = clock.now()
        alert.save(update_fields=["read_at", "updated_at"])
    return alert
