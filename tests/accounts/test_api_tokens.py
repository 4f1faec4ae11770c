import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.accounts.models import ApiToken
from nexus.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def test_a_new_token_shows_its_key_once_and_authenticates(client_for, api_client, owner):
    created = client_for(owner).post("/api/v1/me/tokens/", {"name": "ci"}, format="json")
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("nxs_")
    listed = client_for(owner).get("/api/v1/me/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["ci"]
    assert "key" not in listed[0]
    assert key not in str(ApiToken.objects.values_list())
    me = api_client.get("/api/v1/me/", headers={"Authorization": f"Token {key}"})
    assert me.json()["email"] == owner.email


def test_a_revoked_token_no_longer_authenticates(client_for, api_client, owner):
    token, key = api_token_create(user=owner, name="laptop")
    assert client_for(owner).delete(f"/api/v1/me/tokens/{token.pk}/").status_code == 204
    response = api_client.get("/api/v1/me/", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_nobody_else_can_see_or_revoke_a_token(client_for, owner, other_user):
    token, _ = api_token_create(user=owner, name="laptop")
    assert client_for(other_user).get("/api/v1/me/tokens/").json()["results"] == []
    assert client_for(other_user).delete(f"/api/v1/me/tokens/{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_tokens_need_a_name_and_a_future_expiry(client_for, owner):
    response = client_for(owner).post(
        "/api/v1/me/tokens/", {"name": "old", "expires_at": "2001-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "expires_at"
    assert client_for(owner).post("/api/v1/me/tokens/", {}, format="json").status_code == 400
    assert not ApiToken.objects.exists()


def test_anonymous_users_have_no_tokens(api_client):
    assert api_client.get("/api/v1/me/tokens/").status_code == 401


def test_a_garbage_token_is_a_401(api_client):
    response = api_client.get("/api/v1/me/", headers={"Authorization": "Token nxs_garbage"})
    assert response.status_code == 401


@pytest.mark.parametrize("count", [1, 30])
def test_listing_tokens_takes_the_same_queries_whatever_their_number(client_for, owner, count):
    for index in range(count):
        api_token_create(user=owner, name=f"token {index}")
    client = client_for(owner)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/me/tokens/?page_size=100")
    assert len(response.json()["results"]) == count
    assert len(queries) <= 2
