import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.notifications.models import Subscription
from nexus.notifications.services import subscription_create
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db


def test_following_something_and_following_it_again(client_for, owner):
    client = client_for(owner)
    body = {"target_type": "challenges.tag", "target_id": "caching-101"}
    first = client.post("/api/v1/subscriptions/", body, format="json")
    assert first.status_code == 201
    assert first.json()["target_id"] == "caching-101"
    again = client.post("/api/v1/subscriptions/", body, format="json")
    assert again.json()["id"] == first.json()["id"]
    assert Subscription.objects.count() == 1
    listed = client.get("/api/v1/subscriptions/?target_type=challenges.tag").json()
    assert [s["target_id"] for s in listed["results"]] == ["caching-101"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_type": "Not A Type", "target_id": "1"}, "target_type"),
        ({"target_type": "knowledge.article", "target_id": ""}, "target_id"),
        ({"target_type": "knowledge.article", "target_id": "   "}, "target_id"),
        ({"target_type": "knowledge.article", "target_id": 5}, "target_id"),
        ({"target_type": "knowledge.", "target_id": "1"}, "target_type"),
        ({"target_type": "knowledge.article"}, "target_id"),
        ({"target_type": "knowledge.article", "target_id": "1", "extra": 1}, "extra"),
    ],
)
def test_bad_follows_are_400s_with_field_errors(client_for, owner, body, field):
    response = client_for(owner).post("/api/v1/subscriptions/", body, format="json")
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "other_user", "mentor", "admin_user"])
def test_nobody_else_can_see_or_drop_my_follow(request, api_client, client_for, owner, who):
    follow = subscription_create(user=owner, target_type="challenges.tag", target_id="x")
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    expected = 401 if who == "anonymous" else 404
    assert client.delete(f"/api/v1/subscriptions/{follow.pk}/").status_code == expected
    if who != "anonymous":
        assert client.get("/api/v1/subscriptions/").json()["results"] == []
    assert Subscription.objects.filter(pk=follow.pk).exists()


def test_unfollowing(client_for, owner):
    follow = subscription_create(user=owner, target_type="challenges.tag", target_id="x")
    assert client_for(owner).delete(f"/api/v1/subscriptions/{follow.pk}/").status_code == 204
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("count", [1, 30])
def test_listing_follows_takes_the_same_queries(client_for, owner, count):
    for i in range(count):
        subscription_create(user=owner, target_type="challenges.tag", target_id=str(i))
    client = client_for(owner)
    with CaptureQueriesContext(connection) as queries:
        assert len(client.get("/api/v1/subscriptions/?page_size=50").json()["results"]) == count
    assert len(queries) <= 2  # the token's user, then the page


def test_only_what_one_may_see_can_be_followed(client_for, owner, other_user, mentor):
    draft = make_article(owner, title="Draft", status="draft")
    published = make_article(owner, title="Out")

    def follow(user, target_type, target_id):
        body = {"target_type": target_type, "target_id": target_id}
        return client_for(user).post("/api/v1/subscriptions/", body, format="json")

    assert follow(other_user, "knowledge.article", str(published.pk)).status_code == 201
    # Someone else's draft answers as an article that does not exist: 400 on target_id.
    for target_id in (str(draft.pk), "999999", "not-a-number", "9" * 30, "٣"):
        refused = follow(other_user, "knowledge.article", target_id)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["field"] == "target_id"
    assert follow(mentor, "knowledge.article", str(draft.pk)).status_code == 201
    # A type nothing registered (a private journal entry, say) cannot be followed at all.
    refused = follow(other_user, "journal.entry", "1")
    assert refused.json()["errors"][0]["field"] == "target_type"
    assert "knowledge.article" in refused.json()["errors"][0]["message"]
    assert not Subscription.objects.filter(user=other_user, target_type="journal.entry").exists()
