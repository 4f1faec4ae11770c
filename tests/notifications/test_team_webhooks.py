"""Team webhooks: who may see and change them, the one-owner rule, delivery and disable notices."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nexus.accounts.models import TeamRole
from nexus.accounts.services import team_create, team_member_set
from nexus.notifications import services
from nexus.notifications.models import Notification, Webhook, WebhookDelivery
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EVENT_ID = "00000000-0000-0000-0000-000000000001"


@pytest.fixture
def team(owner, other_user):
    """Owner is the team's owner, other_user a backend member; mentor and admin are outsiders."""
    team = team_create(creator=owner, name="Payments Crew")
    team_member_set(actor=owner, team=team, user=other_user, role=TeamRole.BACKEND)
    return team


@pytest.fixture
def team_hook(owner, team, receiver):
    webhook, _ = services.webhook_create(
        actor=owner, team=team, url=receiver.url, events=["api.breaking_change"]
    )
    return webhook


@pytest.fixture
def delivery(team_hook):
    return WebhookDelivery.objects.create(
        webhook=team_hook, event_id=EVENT_ID, event_name="api.breaking_change"
    )


def _client(client_for, api_client, who, request):
    if who == "anonymous":
        return api_client
    return client_for(request.getfixturevalue(who))


# --- Permission matrix ------------------------------------------------------------------------
VIEW = {"owner": 200, "other_user": 200, "mentor": 404, "admin_user": 404}
MANAGE = {"owner": "ok", "other_user": 403, "mentor": 404, "admin_user": 404}


@pytest.mark.parametrize("who", ["owner", "other_user", "mentor", "admin_user", "anonymous"])
def test_team_members_see_a_team_webhook_and_its_log_outsiders_do_not(
    who, request, client_for, api_client, team_hook, delivery
):
    client = _client(client_for, api_client, who, request)
    detail = client.get(f"/api/v1/webhooks/{team_hook.pk}/")
    log = client.get(f"/api/v1/webhooks/{team_hook.pk}/deliveries/")
    listed = client.get("/api/v1/webhooks/")
    if who == "anonymous":
        assert {detail.status_code, log.status_code, listed.status_code} <= {401, 403}
        return
    assert detail.status_code == log.status_code == VIEW[who]
    ids = [hook["id"] for hook in listed.json()["results"]]
    assert (team_hook.pk in ids) is (VIEW[who] == 200)
    if VIEW[who] == 200:
        assert detail.json()["team"] == "payments-crew"
        assert "secret" not in detail.json()
        assert [d["id"] for d in log.json()["results"]] == [str(delivery.pk)]


@pytest.mark.parametrize("who", ["owner", "other_user", "mentor", "admin_user", "anonymous"])
def test_only_team_owners_change_rotate_redeliver_and_delete_team_webhooks(
    who, request, client_for, api_client, team_hook, delivery
):
    client = _client(client_for, api_client, who, request)
    base = f"/api/v1/webhooks/{team_hook.pk}/"
    responses = [
        client.patch(base, {"is_active": False}, format="json"),
        client.post(f"{base}rotate-secret/"),
        client.post(f"{base}deliveries/{delivery.pk}/redeliver/"),
        client.delete(base),
    ]
    codes = [r.status_code for r in responses]
    if who == "anonymous":
        assert set(codes) <= {401, 403}
    elif MANAGE[who] == "ok":
        assert codes == [200, 200, 202, 204]
        assert responses[1].json()["secret"].startswith("whsec_")
    else:
        assert codes == [MANAGE[who]] * 4
    still_there = Webhook.objects.filter(pk=team_hook.pk).first()
    assert (still_there is None) is (MANAGE.get(who) == "ok")
    if still_there is not None:
        assert still_there.is_active
        assert still_there.secret == team_hook.secret


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 201), ("other_user", 403), ("mentor", 400), ("admin_user", 400)],
)
def test_only_team_owners_register_team_webhooks(who, status, request, client_for, team, receiver):
    client = client_for(request.getfixturevalue(who))
    body = {"url": receiver.url, "events": ["mention"], "team": team.slug}
    response = client.post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == status
    assert Webhook.objects.filter(team=team).count() == (1 if status == 201 else 0)
    if status == 201:
        assert response.json()["team"] == team.slug
        assert response.json()["secret"].startswith("whsec_")
    if status == 400:
        assert "team" in response.json()["errors"] or "team" in str(response.json())


def test_a_team_may_be_named_by_id_too(client_for, owner, team, receiver):
    body = {"url": receiver.url, "events": ["mention"], "team": str(team.pk)}
    response = client_for(owner).post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 201
    assert Webhook.objects.get(pk=response.json()["id"]).team_id == team.pk


def test_an_unknown_team_is_a_field_error(client_for, owner, receiver):
    body = {"url": receiver.url, "events": ["mention"], "team": "no-such-team"}
    response = client_for(owner).post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 400
    assert "team" in str(response.json())
    assert not Webhook.objects.exists()


# --- One owner, never both, never neither -----------------------------------------------------
def test_the_service_gives_a_webhook_one_owner_the_actor_or_the_team(owner, team, receiver):
    mine, _ = services.webhook_create(actor=owner, url=receiver.url, events=["mention"])
    ours, _ = services.webhook_create(actor=owner, team=team, url=receiver.url, events=["mention"])
    assert (mine.owner_id, mine.team_id) == (owner.pk, None)
    assert (ours.owner_id, ours.team_id) == (None, team.pk)


def test_the_database_refuses_a_webhook_with_both_or_neither_owner(owner, team):
    for owners in ({"owner": owner, "team": team}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Webhook.objects.create(url="https://example.com/x", secret="s", **owners)
    assert not Webhook.objects.exists()


def test_the_api_answers_400_never_500_to_ownership_tricks(
    client_for, owner, team, team_hook, receiver
):
    client = client_for(owner)
    both = {"url": receiver.url, "events": ["mention"], "team": team.slug}
    assert (
        client.post("/api/v1/webhooks/", {**both, "owner": owner.pk}, format="json").status_code
        == 400
    )
    move = client.patch(f"/api/v1/webhooks/{team_hook.pk}/", {"team": None}, format="json")
    assert move.status_code == 400
    assert "team" in str(move.json())
    team_hook.refresh_from_db()
    assert team_hook.team_id == team.pk
    assert team_hook.owner_id is None
    assert Webhook.objects.count() == 1


# --- Delivery and the disable notice ----------------------------------------------------------
def test_an_event_routed_to_a_team_reaches_its_webhook(publish, owner, team, receiver, other_user):
    hook, _ = services.webhook_create(
        actor=owner, team=team, url=receiver.url, events=["api.breaking_change"]
    )
    publish(
        "api.breaking_change",
        title="v2 drops /charges",
        follow_targets=[["accounts.team", str(team.pk)]],
    )
    publish("api.breaking_change", title="by team_ids", team_ids=[team.pk])
    # A member's own notification is private: it does not go to the team's webhook.
    publish("api.breaking_change", title="only for Oscar", recipient_ids=[other_user.pk])
    assert WebhookDelivery.objects.filter(webhook=hook, status="succeeded").count() == 2
    titles = [receiver.json(i)["data"]["title"] for i in range(len(receiver.requests))]
    assert sorted(titles) == ["by team_ids", "v2 drops /charges"]
    assert "team_ids" not in receiver.json()["data"]


def test_a_team_webhook_ignores_events_it_did_not_pick_and_other_teams(
    publish, owner, team, receiver
):
    services.webhook_create(actor=owner, team=team, url=receiver.url, events=["mention"])
    other = team_create(creator=owner, name="Other Crew")
    publish("api.breaking_change", title="not picked", team_ids=[team.pk])
    publish("mention", title="other team", team_ids=[other.pk])
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_failing_team_webhook_is_disabled_and_the_team_owners_told(
    publish, owner, other_user, team, receiver, settings
):
    co_owner = UserFactory(display_name="Cora Co-owner")
    team_member_set(actor=owner, team=team, user=co_owner, role=TeamRole.OWNER)
    settings.NEXUS_WEBHOOK_MAX_ATTEMPTS = 1
    settings.NEXUS_WEBHOOK_MAX_CONSECUTIVE_FAILURES = 1
    receiver.status = 500
    hook, _ = services.webhook_create(actor=owner, team=team, url=receiver.url, events=["mention"])
    publish("mention", title="boom", team_ids=[team.pk])
    hook.refresh_from_db()
    assert not hook.is_active
    told = set(
        Notification.objects.filter(event_name="webhook.disabled").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {owner.pk, co_owner.pk}
    assert other_user.pk not in told


# --- Query counts -----------------------------------------------------------------------------
@pytest.mark.parametrize("count", [1, 20])
def test_listing_user_and_team_webhooks_takes_the_same_queries(client_for, owner, count):
    teams = [team_create(creator=owner, name=f"Crew {i}") for i in range(count)]
    for i, team in enumerate(teams):
        Webhook.objects.create(team=team, url=f"https://example.com/t{i}", secret="s")
        Webhook.objects.create(owner=owner, url=f"https://example.com/u{i}", secret="s")
    client = client_for(owner)
    with CaptureQueriesContext(connection) as queries:
        results = client.get("/api/v1/webhooks/?page_size=50").json()["results"]
    assert len(results) == 2 * count
    assert {r["team"] for r in results} == {None, *(t.slug for t in teams)}
    assert len(queries) <= 2  # the token's user, then the page


# --- Web page ---------------------------------------------------------------------------------
def _web(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_web_form_offers_only_teams_the_user_owns(owner, other_user, team, receiver):
    team_create(creator=other_user, name="Someone Else")
    page = _web(owner).get("/notifications/webhooks/").content.decode()
    assert 'value="payments-crew"' in page
    assert "someone-else" not in page
    response = _web(owner).post(
        "/notifications/webhooks/",
        {"team": team.slug, "url": receiver.url + "?web", "events": ["mention"]},
    )
    assert response.status_code == 200
    assert Webhook.objects.get(url=receiver.url + "?web").team_id == team.pk
    # A member who owns no team gets no team choice; a forged one is a field error.
    member_page = _web(other_user).post(
        "/notifications/webhooks/",
        {"team": team.slug, "url": receiver.url + "?forged", "events": ["mention"]},
    )
    assert not Webhook.objects.filter(url=receiver.url + "?forged", team=team).exists()
    assert member_page.status_code == 200


def test_members_see_the_team_webhook_page_without_buttons_outsiders_get_404(
    owner, other_user, mentor, team_hook, delivery
):
    url = f"/notifications/webhooks/{team_hook.pk}/"
    owner_page = _web(owner).get(url).content.decode()
    assert "Rotate secret" in owner_page
    assert "Redeliver" in owner_page
    member = _web(other_user)
    member_page = member.get(url)
    assert member_page.status_code == 200
    assert "Rotate secret" not in member_page.content.decode()
    assert "Payments Crew" in member_page.content.decode()
    assert member.post(f"{url}rotate/").status_code == 403
    assert member.post(f"{url}delete/").status_code == 403
    assert _web(mentor).get(url).status_code == 404
    assert Webhook.objects.filter(pk=team_hook.pk).exists()
