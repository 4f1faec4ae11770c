import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_me_needs_authentication(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_me_shows_the_private_profile(client_for, owner):
    body = client_for(owner).get("/api/v1/me/").json()
    assert body["email"] == owner.email
    assert body["display_name"] == "Olivia Owner"


def test_me_can_be_partly_updated(client_for, owner):
    response = client_for(owner).patch(
        "/api/v1/me/", {"bio": "Backend learner", "track": "fullstack"}, format="json"
    )
    assert response.status_code == 200
    owner.refresh_from_db()
    assert (owner.bio, owner.track, owner.display_name) == (
        "Backend learner",
        "fullstack",
        "Olivia Owner",
    )


@pytest.mark.parametrize(
    "payload",
    [{"role": "admin"}, {"email": "x@example.com"}, {"track": "chef"}, {"avatar_url": "nope"}],
)
def test_me_refuses_fields_a_user_may_not_set(client_for, owner, payload):
    response = client_for(owner).patch("/api/v1/me/", payload, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == list(payload)
    owner.refresh_from_db()
    assert owner.role == "learner"
    assert owner.email.startswith("user")


def test_changing_the_password_needs_the_old_one(client_for, owner):
    client = client_for(owner)
    wrong = client.post(
        "/api/v1/me/password/",
        {"old_password": "wrong", "new_password": "another-good-passphrase"},
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "old_password"
    right = client.post(
        "/api/v1/me/password/",
        {"old_password": "correct-horse-battery-staple", "new_password": "another-good-passphrase"},
        format="json",
    )
    assert right.status_code == 204
    owner.refresh_from_db()
    assert owner.check_password("another-good-passphrase")


def test_public_profiles_hide_email_addresses(api_client, owner):
    body = api_client.get("/api/v1/users/").json()
    assert set(body) == {"results", "next", "previous"}
    assert body["results"][0]["display_name"] == "Olivia Owner"
    assert "email" not in body["results"][0]


def test_inactive_users_have_no_public_profile(api_client, owner):
    owner.is_active = False
    owner.save()
    assert api_client.get(f"/api/v1/users/{owner.pk}/").status_code == 404


def test_users_can_be_filtered_by_role(api_client, owner, mentor):
    body = api_client.get("/api/v1/users/?role=mentor").json()
    assert [u["id"] for u in body["results"]] == [mentor.pk]


def test_an_unknown_filter_value_is_a_400(api_client, owner):
    response = api_client.get("/api/v1/users/?role=wizard")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "role"


def test_user_pages_follow_the_cursor(api_client):
    UserFactory.create_batch(5)
    first = api_client.get("/api/v1/users/?page_size=2").json()
    second = api_client.get(first["next"]).json()
    assert len(first["results"]) == len(second["results"]) == 2
    assert {u["id"] for u in first["results"]}.isdisjoint({u["id"] for u in second["results"]})


@pytest.mark.parametrize("page_size", [1, 50])
def test_listing_users_takes_the_same_queries_whatever_the_page_size(api_client, page_size):
    UserFactory.create_batch(50)
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(f"/api/v1/users/?page_size={page_size}")
    assert len(response.json()["results"]) == page_size
    assert len(queries) <= 2
