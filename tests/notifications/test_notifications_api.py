import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.notifications.models import EmailPreference, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox(publish, owner, other_user):
    """Three notifications for the owner, one for someone else."""
    for title in ("one", "two", "three"):
        publish("mention", actor=other_user, recipient_ids=[owner.pk], title=title, url="/t/")
    publish("mention", recipient_ids=[other_user.pk], title="not yours")
    return list(Notification.objects.filter(recipient=owner).order_by("-created_at", "-id"))


def test_the_list_shows_only_my_notifications_newest_first(client_for, owner, other_user, inbox):
    body = client_for(owner).get("/api/v1/notifications/").json()
    assert [n["title"] for n in body["results"]] == [
        "Mentions of you: three",
        "Mentions of you: two",
        "Mentions of you: one",
    ]
    first = body["results"][0]
    assert first["event"] == "mention"
    assert first["is_read"] is False
    assert first["actor"] == {"id": other_user.pk, "display_name": other_user.display_name}
    assert set(body) == {"results", "next", "previous"}


def test_marking_one_read_and_filtering_unread(client_for, owner, inbox):
    client = client_for(owner)
    read = client.post(f"/api/v1/notifications/{inbox[0].pk}/read/")
    assert read.status_code == 200
    assert read.json()["is_read"] is True
    unread = client.get("/api/v1/notifications/?unread=true").json()["results"]
    assert len(unread) == 2
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    assert len(client.get("/api/v1/notifications/?unread=false").json()["results"]) == 1


def test_mark_all_read(client_for, owner, other_user, inbox):
    assert client_for(owner).post("/api/v1/notifications/read-all/").json() == {"marked": 3}
    assert client_for(owner).get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    assert client_for(other_user).get("/api/v1/notifications/unread-count/").json() == {"unread": 1}


def test_a_bad_filter_value_is_a_400(client_for, owner):
    response = client_for(owner).get("/api/v1/notifications/?unread=perhaps")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "unread"


@pytest.mark.parametrize("who", ["anonymous", "other_user", "mentor", "admin_user"])
def test_nobody_but_the_recipient_sees_or_marks_a_notification(
    request, api_client, client_for, who, inbox
):
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    expected = 401 if who == "anonymous" else 404
    assert client.get(f"/api/v1/notifications/{inbox[0].pk}/").status_code == expected
    assert client.post(f"/api/v1/notifications/{inbox[0].pk}/read/").status_code == expected
    inbox[0].refresh_from_db()
    assert inbox[0].read_at is None


def test_the_owner_can_read_one_notification(client_for, owner, inbox):
    response = client_for(owner).get(f"/api/v1/notifications/{inbox[0].pk}/")
    assert response.json()["title"] == "Mentions of you: three"


@pytest.mark.parametrize("count", [2, 25])
def test_listing_notifications_takes_the_same_queries_whatever_their_number(
    publish, client_for, owner, other_user, count
):
    for i in range(count):
        publish("mention", actor=other_user, recipient_ids=[owner.pk], title=f"n{i}")
    client = client_for(owner)
    with CaptureQueriesContext(connection) as queries:
        assert len(client.get("/api/v1/notifications/?page_size=50").json()["results"]) == count
    assert len(queries) <= 2


def test_preferences_list_every_event_type_with_defaults(client_for, owner):
    prefs = client_for(owner).get("/api/v1/notifications/preferences/").json()["preferences"]
    assert prefs["mention"] == "instant"
    assert prefs["article.updated"] == "weekly"
    assert prefs["article.published"] == "daily"


def test_preferences_can_be_changed_per_event_type(client_for, owner):
    response = client_for(owner).patch(
        "/api/v1/notifications/preferences/",
        {"preferences": {"mention": "weekly", "article.published": "never"}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["preferences"]["mention"] == "weekly"
    assert EmailPreference.objects.filter(user=owner).count() == 2


def test_a_patch_without_preferences_changes_nothing(client_for, owner):
    response = client_for(owner).patch("/api/v1/notifications/preferences/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["preferences"]["mention"] == "instant"
    assert not EmailPreference.objects.filter(user=owner).exists()


@pytest.mark.parametrize(
    ("preferences", "field"),
    [
        ({"no.such.event": "daily", "mention": "never"}, "no.such.event"),
        ({"mention": "hourly"}, "mention"),
    ],
)
def test_an_unknown_event_type_or_frequency_is_a_clear_400(client_for, owner, preferences, field):
    response = client_for(owner).patch(
        "/api/v1/notifications/preferences/", {"preferences": preferences}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert not EmailPreference.objects.exists()


def test_preferences_need_an_object(client_for, owner, api_client):
    response = client_for(owner).patch(
        "/api/v1/notifications/preferences/", {"preferences": "all"}, format="json"
    )
    assert response.status_code == 400
    assert api_client.get("/api/v1/notifications/preferences/").status_code == 401
