import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.notifications.models import Notification, Subscription
from tests.core.test_graphql import bearer, graphql

pytestmark = pytest.mark.django_db

NOTIFICATIONS = """
query { unreadNotificationCount
  notifications { totalCount results { id event title url isRead actor { displayName } } } }
"""


@pytest.fixture
def inbox(publish, owner, other_user):
    publish("mention", actor=other_user, recipient_ids=[owner.pk], title="a", url="/a/")
    publish("mention", actor=other_user, recipient_ids=[owner.pk], title="b", url="/b/")
    publish("mention", recipient_ids=[other_user.pk], title="not yours")


def test_my_notifications_and_unread_count(client, owner, other_user, inbox):
    data = graphql(client, NOTIFICATIONS, **bearer(owner)).json()["data"]
    assert data["unreadNotificationCount"] == 2
    results = data["notifications"]["results"]
    assert [n["title"] for n in results] == ["Mentions of you: b", "Mentions of you: a"]
    assert results[0]["actor"] == {"displayName": other_user.display_name}
    assert results[0]["isRead"] is False


def test_anonymous_users_get_an_error_not_data(client, inbox):
    body = graphql(client, NOTIFICATIONS).json()
    assert body["data"] is None
    assert body["errors"]


def test_marking_read_and_all_read(client, owner, other_user, inbox):
    mine = Notification.objects.filter(recipient=owner).first()
    theirs = Notification.objects.get(recipient=other_user)
    mutation = "mutation($id: ID!) { markNotificationRead(id: $id) { notification { isRead } errors { field code } } }"
    done = graphql(client, mutation, {"id": mine.pk}, **bearer(owner)).json()["data"]
    assert done["markNotificationRead"]["notification"] == {"isRead": True}
    refused = graphql(client, mutation, {"id": theirs.pk}, **bearer(owner)).json()["data"]
    assert refused["markNotificationRead"]["errors"] == [{"field": "id", "code": "not_found"}]
    theirs.refresh_from_db()
    assert theirs.read_at is None
    all_read = graphql(client, "mutation { markAllNotificationsRead }", **bearer(owner)).json()
    assert all_read["data"]["markAllNotificationsRead"] == 1


def test_follow_with_typed_errors_and_unfollow(client, owner, other_user):
    follow = """mutation($t: String!, $i: String!) { follow(targetType: $t, targetId: $i) {
        subscription { id targetType targetId } errors { field } } }"""
    ok = graphql(client, follow, {"t": "challenges.tag", "i": "x"}, **bearer(owner)).json()
    subscription = ok["data"]["follow"]["subscription"]
    assert subscription["targetId"] == "x"
    bad = graphql(client, follow, {"t": "BAD TYPE", "i": "x"}, **bearer(owner)).json()
    assert bad["data"]["follow"]["errors"] == [{"field": "target_type"}]
    unfollow = "mutation($id: ID!) { unfollow(id: $id) }"
    assert graphql(client, unfollow, {"id": subscription["id"]}, **bearer(other_user)).json()[
        "data"
    ] == {"unfollow": False}
    assert graphql(client, unfollow, {"id": subscription["id"]}, **bearer(owner)).json()[
        "data"
    ] == {"unfollow": True}
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("count", [2, 20])
def test_the_notifications_query_takes_the_same_queries(client, publish, owner, other_user, count):
    for i in range(count):
        publish("mention", actor=other_user, recipient_ids=[owner.pk], title=str(i))
    authorization = bearer(owner)  # minting a token writes a row: not the query's work
    with CaptureQueriesContext(connection) as queries:
        data = graphql(client, NOTIFICATIONS, **authorization).json()["data"]
    assert len(data["notifications"]["results"]) == count
    assert len(queries) <= 5
