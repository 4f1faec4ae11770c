import pytest

from nexus.accounts.services import team_create, team_member_set
from nexus.collab.models import ApiConsumer, BreakingChangeAlert
from nexus.collab.services.catalog import spec_version_create
from nexus.collab.services.consumers import consumer_declare
from nexus.core.models import OutboxEvent
from tests.collab.conftest import PETS_V2
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def publish_v2(api, owner):
    return spec_version_create(api=api, raw=PETS_V2, source="paste", actor=owner)[0]


def test_a_consumer_of_a_broken_operation_gets_an_alert_and_an_event(
    owner, other_user, pets_api, pets_v1
):
    consumer_declare(api=pets_api, actor=other_user, operations=["POST /pets"])
    version = publish_v2(pets_api, owner)
    alert = BreakingChangeAlert.objects.get(recipient=other_user)
    assert alert.version == version
    assert [c.kind for c in alert.changes.all()] == ["request_field_became_required"]
    event = OutboxEvent.objects.get(name="api.breaking_change")
    assert event.payload["recipient_ids"] == [other_user.pk]
    assert event.payload["url"] == f"/apis/{pets_api.slug}/versions/2/"
    assert event.payload["title"].startswith("Pets v2 has 2 breaking change")
    assert "GET /pets/{petId}" in event.payload["affected_operations"]


def test_consumers_of_untouched_operations_hear_nothing(owner, other_user, pets_api, pets_v1):
    consumer_declare(api=pets_api, actor=other_user, operations=["GET /pets"])
    publish_v2(pets_api, owner)
    assert not BreakingChangeAlert.objects.exists()
    assert not OutboxEvent.objects.filter(name="api.breaking_change").exists()


def test_a_consuming_team_alerts_each_member(owner, other_user, mentor, pets_api, pets_v1):
    team = team_create(creator=other_user, name="Frontend")
    team_member_set(actor=other_user, team=team, user=mentor, role="frontend")
    consumer_declare(api=pets_api, actor=other_user, team=team)
    publish_v2(pets_api, owner)
    recipients = set(BreakingChangeAlert.objects.values_list("recipient", flat=True))
    assert recipients == {other_user.pk, mentor.pk}
    assert BreakingChangeAlert.objects.get(recipient=mentor).changes.count() == 2


def test_declaring_unknown_operations_is_a_field_error(client_for, other_user, pets_api, pets_v1):
    response = client_for(other_user).post(
        f"/api/v1/apis/{pets_api.slug}/consumers/", {"operations": ["GET /nowhere"]}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "operations"
    assert not ApiConsumer.objects.exists()


def test_only_members_declare_for_a_team(client_for, mentor, pets_api, pets_v1, team):
    response = client_for(mentor).post(
        f"/api/v1/apis/{pets_api.slug}/consumers/", {"team": team.slug}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "team"


def test_declaring_twice_updates_the_operations(client_for, other_user, pets_api, pets_v1):
    client = client_for(other_user)
    client.post(f"/api/v1/apis/{pets_api.slug}/consumers/", {"operations": ["GET /pets"]})
    client.post(f"/api/v1/apis/{pets_api.slug}/consumers/", {"operations": ["POST /pets"]})
    assert list(ApiConsumer.objects.values_list("operations", flat=True)) == [["POST /pets"]]
    listed = client.get(f"/api/v1/apis/{pets_api.slug}/consumers/").json()["results"]
    assert listed[0]["user"] == other_user.pk


def test_anonymous_users_cannot_consume(api_client, pets_api):
    assert api_client.post(f"/api/v1/apis/{pets_api.slug}/consumers/", {}).status_code == 401


def test_alerts_are_private_to_their_recipient(
    client_for, api_client, owner, other_user, pets_api, pets_v1
):
    consumer_declare(api=pets_api, actor=other_user)
    publish_v2(pets_api, owner)
    mine = client_for(other_user).get("/api/v1/api-alerts/").json()["results"]
    assert [(a["api"], a["version"], len(a["changes"])) for a in mine] == [("pets", 2, 2)]
    assert client_for(owner).get("/api/v1/api-alerts/").json()["results"] == []
    assert api_client.get("/api/v1/api-alerts/").status_code in (401, 403)


def test_alert_lists_take_constant_queries(client_for, owner, pets_api, pets_v1):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    users = [UserFactory() for _ in range(3)]
    for user in users:
        consumer_declare(api=pets_api, actor=user)
    publish_v2(pets_api, owner)
    with CaptureQueriesContext(connection) as queries:
        client_for(users[0]).get("/api/v1/api-alerts/")
    assert len(queries) <= 4  # the token's user, then the alerts


def test_the_breaking_change_reaches_the_consumer_as_a_notification(
    owner, other_user, pets_api, pets_v1, django_capture_on_commit_callbacks
):
    from nexus.notifications.models import Notification

    consumer_declare(api=pets_api, actor=other_user, operations=["POST /pets"])
    with django_capture_on_commit_callbacks(execute=True):
        publish_v2(pets_api, owner)
    notification = Notification.objects.get(recipient=other_user, event_name="api.breaking_change")
    assert notification.url == "/apis/pets/versions/2/"
    assert "Pets v2 has 2 breaking change" in notification.title
