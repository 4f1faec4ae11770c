"""Every way to present a password is limited per account and per client address, in the cache."""

import math
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings

from nexus.accounts.api import AuthRateThrottle
from tests import figures
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed attempts to sign in."
UNAVAILABLE = "Signing in is unavailable for a moment."


def web_login(client, email, password, headers=None):
    return client.post(
        "/accounts/login/", {"username": email, "password": password}, headers=headers or {}
    )


def admin_login(client, email, password, headers=None):
    return client.post(
        "/admin/login/",
        {"username": email, "password": password, "next": "/admin/"},
        headers=headers or {},
    )


def api_login(client, email, password, headers=None):
    return client.post(
        "/api/v1/auth/token/",
        {"email": email, "password": password},
        content_type="application/json",
        headers=headers or {},
    )


DOORS = {"web": web_login, "admin": admin_login, "api": api_login}


def logged_in(door, client, response):
    if door == "api":
        return response.status_code == 200 and "access" in response.json()
    return response.status_code == 302 and SESSION_KEY in client.session


def refusal_message(door, response):
    if door == "api":
        body = response.json()
        assert response["Content-Type"] == "application/problem+json"
        [error] = body["errors"]
        assert error["field"] == "password"
        assert error["message"] == body["detail"]
        return error["message"]
    return response.content.decode()


@pytest.fixture
def unthrottled(monkeypatch):
    """DRF's per-address rate on the credential endpoints would answer first; these tests are
    about the limiter behind every door, so the rate is out of the way."""
    monkeypatch.setattr(AuthRateThrottle, "THROTTLE_RATES", {"auth": "10000/minute"})


@pytest.mark.parametrize("door", DOORS)
def test_fifty_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused(
    client, admin_user, settings, unthrottled, door
):
    attempt = DOORS[door]
    statuses = [attempt(client, admin_user.email, "wrong").status_code for _ in range(50)]
    limit = settings.NEXUS_LOGIN_FAILURES_PER_ACCOUNT
    wrong = 401 if door == "api" else 200
    assert statuses == [wrong] * limit + [429] * (50 - limit)

    right = attempt(client, admin_user.email, DEFAULT_PASSWORD)
    assert right.status_code == 429
    assert not logged_in(door, client, right)
    cool_off = settings.NEXUS_LOGIN_COOL_OFF_SECONDS
    assert cool_off - 60 < int(right["Retry-After"]) <= cool_off
    assert LOCKED in refusal_message(door, right)
    figures.report(f"{door}: {statuses.count(wrong)} wrong passwords answered, then locked")


@pytest.mark.parametrize("door", DOORS)
def test_the_lock_lifts_when_the_cool_off_ends(
    awkward_moment, client, admin_user, settings, unthrottled, door
):
    attempt = DOORS[door]
    for _ in range(settings.NEXUS_LOGIN_FAILURES_PER_ACCOUNT):
        attempt(client, admin_user.email, "wrong")
    cool_off = settings.NEXUS_LOGIN_COOL_OFF_SECONDS
    assert attempt(client, admin_user.email, DEFAULT_PASSWORD)["Retry-After"] == str(cool_off)

    awkward_moment.advance(timedelta(seconds=cool_off - 1))
    almost = attempt(client, admin_user.email, DEFAULT_PASSWORD)
    assert (almost.status_code, almost["Retry-After"]) == (429, "1")
    assert "a minute" in refusal_message(door, almost)

    awkward_moment.advance(timedelta(seconds=1))
    assert logged_in(door, client, attempt(client, admin_user.email, DEFAULT_PASSWORD))


def test_a_success_forgets_the_accounts_failures(client, owner, settings):
    for _ in range(settings.NEXUS_LOGIN_FAILURES_PER_ACCOUNT - 1):
        web_login(client, owner.email, "wrong")
    assert logged_in("web", client, web_login(client, owner.email, DEFAULT_PASSWORD))
    client.logout()
    for _ in range(settings.NEXUS_LOGIN_FAILURES_PER_ACCOUNT - 1):
        web_login(client, owner.email, "wrong")
    assert logged_in("web", client, web_login(client, owner.email, DEFAULT_PASSWORD))


def test_the_account_is_counted_however_its_email_is_typed(client, owner, settings):
    spellings = [owner.email.upper(), f"  {owner.email}", owner.email.title()]
    for index in range(settings.NEXUS_LOGIN_FAILURES_PER_ACCOUNT):
        web_login(client, spellings[index % len(spellings)], "wrong")
    assert web_login(client, owner.email, DEFAULT_PASSWORD).status_code == 429


def test_one_address_guessing_at_many_accounts_is_locked_out(client, owner, settings):
    for index in range(settings.NEXUS_LOGIN_FAILURES_PER_ADDRESS):
        web_login(client, f"guess{index}@example.com", "wrong")
    refused = web_login(client, owner.email, DEFAULT_PASSWORD)
    assert refused.status_code == 429
    assert LOCKED in refused.content.decode()
    # Another address still gets in: the lock is the guessing address's, not the account's.
    elsewhere = client.post(
        "/accounts/login/",
        {"username": owner.email, "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="192.0.2.50",
    )
    assert logged_in("web", client, elsewhere)


@pytest.mark.parametrize("trusted", [0, 1])
def test_rotating_x_forwarded_for_keeps_one_login_budget(client, owner, settings, trusted):
    settings.NEXUS_TRUSTED_PROXIES = trusted
    proxy_wrote = "203.0.113.9"
    for index in range(settings.NEXUS_LOGIN_FAILURES_PER_ADDRESS):
        # Each attempt writes a new address of its own in front of the one the proxy wrote.
        forwarded = f"198.51.100.{index}, {proxy_wrote}" if trusted else f"198.51.100.{index}"
        web_login(client, f"guess{index}@example.com", "wrong", {"X-Forwarded-For": forwarded})
    refused = web_login(
        client, owner.email, DEFAULT_PASSWORD, {"X-Forwarded-For": f"192.0.2.1, {proxy_wrote}"}
    )
    assert refused.status_code == 429
    if trusted:
        # Behind the proxy, another client (another address it wrote) is not locked out.
        other = web_login(client, owner.email, DEFAULT_PASSWORD, {"X-Forwarded-For": "192.0.2.1"})
        assert logged_in("web", client, other)


@pytest.mark.parametrize("trusted", [0, 1])
def test_rotating_x_forwarded_for_keeps_one_api_throttle_budget(
    api_client, owner, settings, monkeypatch, trusted
):
    settings.NEXUS_TRUSTED_PROXIES = trusted
    monkeypatch.setattr(AuthRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})
    codes = [
        api_client.post(
            "/api/v1/auth/token/",
            {"email": owner.email, "password": "x"},
            format="json",
            headers={"X-Forwarded-For": f"198.51.100.{index}, 203.0.113.9"},
        ).status_code
        for index in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_guessing_the_current_password_locks_the_api_password_change(client_for, owner, settings):
    api = client_for(owner)
    change = {"old_password": "wrong", "new_password": "a-brand-new-passphrase"}
    for _ in range(settings.NEXUS_LOGIN_FAILURES_PER_ACCOUNT):
        wrong = api.post("/api/v1/me/password/", change, format="json")
        assert wrong.status_code == 400
    refused = api.post(
        "/api/v1/me/password/", {**change, "old_password": DEFAULT_PASSWORD}, format="json"
    )
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    [error] = refused.json()["errors"]
    assert (error["field"], error["code"]) == ("old_password", "too_many_attempts")
    owner.refresh_from_db()
    assert owner.check_password(DEFAULT_PASSWORD)


def test_guessing_the_current_password_locks_the_web_password_change(client, owner, settings):
    client.force_login(owner)
    change = {"old_password": "wrong", "new_password": "a-brand-new-passphrase"}
    for _ in range(settings.NEXUS_LOGIN_FAILURES_PER_ACCOUNT):
        client.post("/accounts/password/change/", change)
    refused = client.post(
        "/accounts/password/change/", {**change, "old_password": DEFAULT_PASSWORD}
    )
    assert refused.status_code == 429
    assert refused["Retry-After"]
    field_error = '<small class="field-error" data-field="old_password">'
    assert f'{field_error}<span class="field-error-message">{LOCKED}' in refused.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(DEFAULT_PASSWORD)


def test_guessing_at_the_password_change_locks_the_login_too(client_for, client, owner, settings):
    api = client_for(owner)
    for _ in range(settings.NEXUS_LOGIN_FAILURES_PER_ACCOUNT):
        api.post(
            "/api/v1/me/password/",
            {"old_password": "wrong", "new_password": "a-brand-new-passphrase"},
            format="json",
        )
    assert web_login(client, owner.email, DEFAULT_PASSWORD).status_code == 429


@pytest.fixture
def cache_down():
    """The cache is a Redis nobody listens for (its own context: restored before the suite's
    fixtures clear the cache)."""
    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
    with override_settings(CACHES={"default": unreachable}):
        yield


@pytest.mark.parametrize("door", DOORS)
def test_with_the_cache_down_logins_fail_closed(client, admin_user, cache_down, door):
    response = DOORS[door](client, admin_user.email, DEFAULT_PASSWORD)
    assert response.status_code == 503
    assert not logged_in(door, client, response)
    assert response["Retry-After"] == "30"
    assert UNAVAILABLE in refusal_message(door, response)


def test_with_the_cache_down_a_password_change_fails_closed(client_for, owner, cache_down):
    response = client_for(owner).post(
        "/api/v1/me/password/",
        {"old_password": DEFAULT_PASSWORD, "new_password": "a-brand-new-passphrase"},
        format="json",
    )
    assert response.status_code == 503
    assert response.json()["errors"][0]["field"] == "old_password"
    owner.refresh_from_db()
    assert owner.check_password(DEFAULT_PASSWORD)


def test_the_lock_message_rounds_the_wait_up_to_minutes(client, owner, settings):
    settings.NEXUS_LOGIN_COOL_OFF_SECONDS = 90
    for _ in range(settings.NEXUS_LOGIN_FAILURES_PER_ACCOUNT):
        web_login(client, owner.email, "wrong")
    refused = web_login(client, owner.email, DEFAULT_PASSWORD)
    assert "Wait 2 minutes" in refused.content.decode()
    assert math.isclose(int(refused["Retry-After"]), 90, abs_tol=2)


def test_an_inactive_account_counts_like_a_wrong_password(client, settings):
    inactive = UserFactory(is_active=False)
    for _ in range(settings.NEXUS_LOGIN_FAILURES_PER_ACCOUNT):
        assert web_login(client, inactive.email, DEFAULT_PASSWORD).status_code == 200
    assert web_login(client, inactive.email, DEFAULT_PASSWORD).status_code == 429


def test_the_admins_password_change_is_the_limited_one(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/password_change/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/change/")


def test_with_the_cache_down_other_credential_endpoints_refuse_cleanly(api_client, cache_down):
    response = api_client.post(
        "/api/v1/auth/password-reset/", {"email": "someone@example.com"}, format="json"
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["errors"][0]["field"] == "__all__"
