"""The notification services refuse whom their policy refuses, whichever door calls them, and
then store nothing: no row written, changed or removed, no event announced, no task queued."""

import uuid
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from nexus.accounts.models import TeamRole
from nexus.accounts.services import team_create, team_member_set
from nexus.core.models import OutboxEvent
from nexus.notifications import services
from nexus.notifications.models import Notification, WebhookDelivery


def stored() -> dict[str, list]:
    rows = {
        model.__name__: list(model.objects.values_list("pk", "updated_at"))
        for model in apps.get_app_config("notifications").get_models()
    }
    rows["events"] = list(OutboxEvent.objects.values_list("pk", flat=True))
    return rows


@pytest.fixture
def world(owner, other_user, mentor, receiver):
    """Owner owns a team in which other_user is a backend member; mentor is an outsider."""
    team = team_create(creator=owner, name="Payments Crew")
    team_member_set(actor=owner, team=team, user=other_user, role=TeamRole.BACKEND)
    own_hook, _ = services.webhook_create(actor=owner, url=receiver.url, events=["mention"])
    team_hook, _ = services.webhook_create(
        actor=owner, team=team, url=receiver.url, events=["mention"]
    )
    return SimpleNamespace(
        anonymous=AnonymousUser(),
        owner=owner,
        other_user=other_user,
        mentor=mentor,
        url=receiver.url,
        team=team,
        hooks={"own": own_hook, "team": team_hook},
        delivery=WebhookDelivery.objects.create(
            webhook=team_hook, event_id=uuid.uuid4(), event_name="mention"
        ),
        follow=services.subscription_create(
            user=owner, target_type="challenges.tag", target_id="caching"
        ),
        notification=Notification.objects.create(
            recipient=owner, event_id=uuid.uuid4(), event_name="mention", title="Hi"
        ),
    )


ATTEMPTS = {
    "subscription_create": lambda w, actor: services.subscription_create(
        user=actor, target_type="challenges.tag", target_id="queues"
    ),
    "subscription_remove": lambda w, actor: services.subscription_remove(
        user=actor, target_type="challenges.tag", target_id="caching"
    ),
    "subscription_delete": lambda w, actor: services.subscription_delete(
        subscription=w.follow, actor=actor
    ),
    "notification_mark_read": lambda w, actor: services.notification_mark_read(
        notification=w.notification, actor=actor
    ),
    "notifications_mark_all_read": lambda w, actor: services.notifications_mark_all_read(
        user=actor
    ),
    "email_preferences_update": lambda w, actor: services.email_preferences_update(
        user=actor, preferences={"mention": "never"}
    ),
    "webhook_create": lambda w, actor: services.webhook_create(
        actor=actor, url=w.url, events=["mention"]
    ),
    "webhook_create for a team": lambda w, actor: services.webhook_create(
        actor=actor, team=w.team, url=w.url, events=["mention"]
    ),
    **{
        f"webhook_update ({kind})": (
            lambda w, actor, kind=kind: services.webhook_update(
                webhook=w.hooks[kind], actor=actor, is_active=False
            )
        )
        for kind in ("own", "team")
    },
    **{
        f"webhook_rotate_secret ({kind})": (
            lambda w, actor, kind=kind: services.webhook_rotate_secret(
                webhook=w.hooks[kind], actor=actor
            )
        )
        for kind in ("own", "team")
    },
    **{
        f"webhook_delete ({kind})": (
            lambda w, actor, kind=kind: services.webhook_delete(webhook=w.hooks[kind], actor=actor)
        )
        for kind in ("own", "team")
    },
    "webhook_redeliver": lambda w, actor: services.webhook_redeliver(
        delivery=w.delivery, actor=actor
    ),
}

REFUSED = [
    ("subscription_create", "anonymous"),
    ("subscription_remove", "anonymous"),
    *(("subscription_delete", who) for who in ("other_user", "mentor")),
    *(("notification_mark_read", who) for who in ("other_user", "mentor")),
    ("notifications_mark_all_read", "anonymous"),
    ("email_preferences_update", "anonymous"),
    ("webhook_create", "anonymous"),
    *(("webhook_create for a team", who) for who in ("other_user", "mentor")),
    *(
        (f"{service} ({kind})", who)
        for service in ("webhook_update", "webhook_rotate_secret", "webhook_delete")
        for kind in ("own", "team")
        for who in ("other_user", "mentor")
    ),
    *(("webhook_redeliver", who) for who in ("other_user", "mentor")),
]


@pytest.mark.parametrize(("service", "who"), REFUSED, ids=[f"{s}-{w}" for s, w in REFUSED])
def test_a_refused_actor_gets_permission_denied_and_nothing_is_stored(
    world, service, who, django_capture_on_commit_callbacks
):
    before = stored()
    with django_capture_on_commit_callbacks() as queued, pytest.raises(PermissionDenied):
        ATTEMPTS[service](world, getattr(world, who))
    assert stored() == before
    assert queued == []


ALLOWED = [
    ("subscription_delete", "owner"),
    ("notification_mark_read", "owner"),
    ("webhook_create for a team", "owner"),
    ("webhook_update (team)", "owner"),
    ("webhook_rotate_secret (own)", "owner"),
    ("webhook_delete (team)", "owner"),
    ("webhook_redeliver", "owner"),
]


@pytest.mark.parametrize(("service", "who"), ALLOWED, ids=[f"{s}-{w}" for s, w in ALLOWED])
def test_the_people_the_policy_allows_still_may(world, service, who):
    before = stored()
    ATTEMPTS[service](world, getattr(world, who))
    assert stored() != before
