"""Every credential expires when it says, on awkward days too: API tokens, JWTs, reset links.

The clock is stopped on each awkward moment and moved on just past each lifetime; an expiry
computed in local time, or a date instead of an instant, shows up here around DST and New Year.
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail

from nexus.accounts.services import api_token_create
from nexus.core import clock

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
SECOND = timedelta(seconds=1)


def test_an_api_token_works_until_its_expiry_and_not_a_second_after(
    awkward_moment, api_client, owner
):
    expires_at = clock.now() + timedelta(hours=2)
    _, key = api_token_create(user=owner, name="laptop", expires_at=expires_at)
    headers = {"Authorization": f"Token {key}"}
    assert api_client.get(ME, headers=headers).status_code == 200
    awkward_moment.advance(timedelta(hours=2) - SECOND)
    assert api_client.get(ME, headers=headers).status_code == 200
    awkward_moment.advance(2 * SECOND)
    assert api_client.get(ME, headers=headers).status_code == 401


def test_a_token_cannot_be_made_to_expire_now_or_before(awkward_moment, client_for, owner):
    client = client_for(owner)
    for expires_at in (clock.now(), clock.now() - SECOND):
        response = client.post(
            "/api/v1/me/tokens/", {"name": "x", "expires_at": expires_at.isoformat()}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "expires_at"
    future = clock.now() + timedelta(minutes=1)
    response = client.post(
        "/api/v1/me/tokens/", {"name": "x", "expires_at": future.isoformat()}, format="json"
    )
    assert response.status_code == 201


def test_access_and_refresh_tokens_last_exactly_their_lifetimes(awkward_moment, api_client, owner):
    owner.set_password("a-long-enough-passphrase")
    owner.save()
    pair = api_client.post(
        "/api/v1/auth/token/",
        {"email": owner.email, "password": "a-long-enough-passphrase"},
        format="json",
    ).json()
    access_lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    refresh_lifetime = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
    bearer = {"Authorization": f"Bearer {pair['access']}"}
    awkward_moment.advance(access_lifetime - SECOND)
    assert api_client.get(ME, headers=bearer).status_code == 200
    awkward_moment.advance(2 * SECOND)
    assert api_client.get(ME, headers=bearer).status_code == 401
    awkward_moment.advance(refresh_lifetime - access_lifetime - 2 * SECOND)
    refreshed = api_client.post(
        "/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json"
    )
    assert refreshed.status_code == 200
    awkward_moment.advance(2 * SECOND)
    expired = api_client.post(
        "/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json"
    )
    assert expired.status_code == 401


@pytest.mark.parametrize(("past_timeout", "status"), [(-SECOND, 204), (SECOND, 400)])
def test_a_reset_link_works_within_its_timeout_and_not_after(
    awkward_moment, api_client, owner, django_capture_on_commit_callbacks, past_timeout, status
):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/v1/auth/password-reset/", {"email": owner.email}, format="json")
    uid, token = re.search(r"/accounts/reset/(\S+)/(\S+)/", mail.outbox[0].body).groups()

    awkward_moment.advance(timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT) + past_timeout)
    response = api_client.post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": uid, "token": token, "new_password": "a-brand-new-passphrase"},
        format="json",
    )
    assert response.status_code == status
    owner.refresh_from_db()
    assert owner.check_password("a-brand-new-passphrase") == (status == 204)
