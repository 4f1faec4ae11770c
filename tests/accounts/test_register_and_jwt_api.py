from datetime import timedelta

import pytest
from django.core import mail
from rest_framework_simplejwt.tokens import AccessToken

from nexus.accounts.jwt import refresh_token_for
from nexus.accounts.models import Role, User

pytestmark = pytest.mark.django_db

GOOD = {"email": "Lina@Example.com", "password": "a-long-enough-passphrase", "display_name": "Lina"}


def field_errors(response):
    return {error["field"]: error["code"] for error in response.json()["errors"]}


def test_registering_starts_a_pending_learner_account_with_a_lower_cased_email(api_client):
    response = api_client.post("/api/v1/auth/register/", GOOD, format="json")
    assert response.status_code == 202
    assert "Check your e-mail" in response.json()["detail"]
    user = User.objects.get(email="lina@example.com")
    assert (user.role, user.is_active, user.signup_pending) == (Role.LEARNER, False, True)
    assert user.check_password(GOOD["password"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "password"}, "password"),
        ({"password": "12345678901"}, "password"),
        ({"password": "Lina@Example.com"}, "password"),
        ({"display_name": ""}, "display_name"),
        ({"track": "astronaut"}, "track"),
        ({"role": "admin"}, "role"),
    ],
)
def test_bad_registrations_name_the_field_and_store_nothing(api_client, change, field):
    response = api_client.post("/api/v1/auth/register/", {**GOOD, **change}, format="json")
    assert response.status_code == 400
    assert field in field_errors(response)
    assert not User.objects.exists()
    assert mail.outbox == []


def test_a_token_pair_is_issued_for_email_and_password(api_client, owner):
    response = api_client.post(
        "/api/v1/auth/token/",
        {"email": owner.email.upper(), "password": "correct-horse-battery-staple"},
        format="json",
    )
    assert response.status_code == 200
    pair = response.json()
    me = api_client.get("/api/v1/me/", headers={"Authorization": f"Bearer {pair['access']}"})
    assert me.json()["email"] == owner.email
    refreshed = api_client.post(
        "/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json"
    )
    assert refreshed.status_code == 200
    assert "access" in refreshed.json()
    verified = api_client.post(
        "/api/v1/auth/token/verify/", {"token": pair["access"]}, format="json"
    )
    assert verified.status_code == 200


def test_a_wrong_password_gets_no_token(api_client, owner):
    response = api_client.post(
        "/api/v1/auth/token/", {"email": owner.email, "password": "nope"}, format="json"
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_tampered_jwt_is_refused(api_client, owner):
    token = str(refresh_token_for(owner).access_token)
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"
    response = api_client.get("/api/v1/me/", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_an_expired_jwt_is_refused(api_client, owner):
    token = refresh_token_for(owner).access_token
    token.set_exp(lifetime=-timedelta(seconds=1))
    response = api_client.get("/api/v1/me/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    verify = api_client.post("/api/v1/auth/token/verify/", {"token": str(token)}, format="json")
    assert verify.status_code == 401


def test_a_jwt_minted_without_the_credentials_claim_is_refused(api_client, owner):
    token = AccessToken.for_user(owner)
    response = api_client.get("/api/v1/me/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_credential_endpoints_are_throttled(api_client, owner, monkeypatch):
    from nexus.accounts.api import AuthRateThrottle

    monkeypatch.setattr(AuthRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})
    codes = [
        api_client.post(
            "/api/v1/auth/token/", {"email": owner.email, "password": "x"}, format="json"
        ).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
