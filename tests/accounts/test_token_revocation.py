"""Refresh tokens rotate and are good once; every JWT and session of an account ends with a new
password, deactivation, or logging out everywhere - and access tokens die at once, not when they
expire."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from nexus.accounts import services, tasks
from nexus.accounts.models import User
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase"


def log_in(api_client, user, password=DEFAULT_PASSWORD):
    response = api_client.post(
        "/api/v1/auth/token/", {"email": user.email, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def refresh(api_client, pair):
    return api_client.post(
        "/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json"
    )


def me(api_client, pair):
    return api_client.get("/api/v1/me/", headers={"Authorization": f"Bearer {pair['access']}"})


def verify(api_client, token):
    return api_client.post("/api/v1/auth/token/verify/", {"token": token}, format="json")


def browser_session(user):
    browser = Client()
    browser.force_login(user)
    assert browser.get("/accounts/profile/").status_code == 200
    return browser


def assert_everything_ended(api_client, pair, browser):
    assert refresh(api_client, pair).status_code == 401
    assert me(api_client, pair).status_code == 401
    assert verify(api_client, pair["access"]).status_code == 401
    assert verify(api_client, pair["refresh"]).status_code == 401
    assert browser.get("/accounts/profile/").status_code == 302
    assert SESSION_KEY not in browser.session


def test_a_refresh_token_rotates_and_is_good_once(api_client, owner):
    pair = log_in(api_client, owner)
    rotated = refresh(api_client, pair)
    assert rotated.status_code == 200
    new_pair = rotated.json()
    assert new_pair["refresh"] != pair["refresh"]
    assert me(api_client, new_pair).status_code == 200

    reused = refresh(api_client, pair)
    assert reused.status_code == 401
    assert reused.json()["code"] == "token_not_valid"
    assert refresh(api_client, new_pair).status_code == 200


def test_a_refresh_token_can_be_given_back_on_logging_out(api_client, owner):
    pair = log_in(api_client, owner)
    response = api_client.post(
        "/api/v1/auth/token/blacklist/", {"refresh": pair["refresh"]}, format="json"
    )
    assert response.status_code == 200
    assert refresh(api_client, pair).status_code == 401


def test_changing_the_password_over_the_api_ends_every_token_and_other_session(
    api_client, client_for, owner
):
    pair = log_in(api_client, owner)
    browser = browser_session(owner)
    changed = client_for(owner).post(
        "/api/v1/me/password/",
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert changed.status_code == 204
    assert_everything_ended(api_client, pair, browser)
    assert me(api_client, log_in(api_client, owner, NEW_PASSWORD)).status_code == 200


def test_changing_the_password_on_the_web_keeps_only_that_session(api_client, owner):
    pair = log_in(api_client, owner)
    other_browser = browser_session(owner)
    this_browser = browser_session(owner)
    response = this_browser.post(
        "/accounts/password/change/",
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert_everything_ended(api_client, pair, other_browser)
    assert this_browser.get("/accounts/profile/").status_code == 200


def test_a_password_reset_ends_every_token_and_session(
    api_client, client, owner, django_capture_on_commit_callbacks
):
    pair = log_in(api_client, owner)
    browser = browser_session(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": owner.email})
    path = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(path, follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert_everything_ended(api_client, pair, browser)


def test_a_password_set_by_any_other_path_ends_every_token_too(api_client, owner):
    # The admin's "set password" form and `manage.py changepassword` do just this.
    pair = log_in(api_client, owner)
    browser = browser_session(owner)
    owner.set_password(NEW_PASSWORD)
    owner.save()
    assert_everything_ended(api_client, pair, browser)


def test_deactivation_ends_every_token_and_reactivation_does_not_revive_them(
    api_client, owner, admin_user
):
    pair = log_in(api_client, owner)
    browser = browser_session(owner)
    services.user_deactivate(actor=admin_user, user=owner)
    User.objects.filter(pk=owner.pk).update(is_active=True)
    assert_everything_ended(api_client, pair, browser)


def test_deactivating_in_the_admin_goes_through_the_service(api_client, client, owner, admin_user):
    pair = log_in(api_client, owner)
    client.force_login(admin_user)
    page = client.get(f"/admin/accounts/user/{owner.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"password", "groups", "user_permissions"}
    }
    data.update(
        is_active="",
        date_joined_0=owner.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=owner.date_joined.strftime("%H:%M:%S"),
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data = {name: value for name, value in data.items() if value is not False}
    response = client.post(f"/admin/accounts/user/{owner.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    owner.refresh_from_db()
    assert (owner.is_active, owner.auth_generation) == (False, 1)
    User.objects.filter(pk=owner.pk).update(is_active=True)
    assert refresh(api_client, pair).status_code == 401


def test_logging_out_everywhere_over_the_api_ends_every_token_and_session(api_client, owner):
    pair = log_in(api_client, owner)
    other_pair = log_in(api_client, owner)
    browser = browser_session(owner)
    response = api_client.post(
        "/api/v1/me/log-out-everywhere/", headers={"Authorization": f"Bearer {pair['access']}"}
    )
    assert response.status_code == 204
    assert_everything_ended(api_client, other_pair, browser)
    assert me(api_client, pair).status_code == 401
    assert me(api_client, log_in(api_client, owner)).status_code == 200


def test_logging_out_everywhere_on_the_web_ends_this_session_too(api_client, owner):
    pair = log_in(api_client, owner)
    other_browser = browser_session(owner)
    this_browser = browser_session(owner)
    assert b'data-testid="log-out-everywhere"' in this_browser.get("/accounts/profile/").content
    response = this_browser.post("/accounts/log-out-everywhere/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert b"You are logged out on every device" in response.content
    assert SESSION_KEY not in this_browser.session
    assert_everything_ended(api_client, pair, other_browser)


def test_logging_out_everywhere_with_graphql(api_client, client, owner):
    pair = log_in(api_client, owner)
    browser = browser_session(owner)
    response = client.post(
        "/graphql/",
        {"query": "mutation { logOutEverywhere { done errors { field message } } }"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {pair['access']}"},
    )
    assert response.json()["data"]["logOutEverywhere"] == {"done": True, "errors": []}
    assert_everything_ended(api_client, pair, browser)


def test_logging_out_everywhere_needs_a_login(api_client, client):
    assert api_client.post("/api/v1/me/log-out-everywhere/").status_code == 401
    assert client.post("/accounts/log-out-everywhere/").status_code == 302
    assert client.get("/accounts/log-out-everywhere/").status_code in {302, 405}


def test_sessions_from_before_any_log_out_everywhere_survive_the_upgrade(owner):
    # Generation 0 signs sessions as Django does, so deploying this change logged nobody out.
    from django.contrib.auth.base_user import AbstractBaseUser

    assert owner.auth_generation == 0
    assert owner.get_session_auth_hash() == AbstractBaseUser._get_session_auth_hash(owner)


def test_an_api_token_is_not_a_session_and_survives_logging_out_everywhere(api_client, owner):
    _, key = services.api_token_create(user=owner, name="scripts")
    services.user_log_out_everywhere(actor=owner, user=owner)
    response = api_client.get("/api/v1/me/", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200


def test_a_token_of_a_deleted_user_is_refused_not_an_error(api_client, other_user):
    pair = log_in(api_client, other_user)
    other_user.delete()
    assert refresh(api_client, pair).status_code == 401
    assert me(api_client, pair).status_code == 401


def test_expired_refresh_tokens_are_deleted_and_live_ones_kept(stopped_clock, api_client, owner):
    used = log_in(api_client, owner)
    assert refresh(api_client, used).status_code == 200  # rotated: `used` is blacklisted now
    lifetime = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
    stopped_clock.shift(lifetime / 2)
    live = log_in(api_client, owner)
    stopped_clock.shift(lifetime / 2)  # the first two have just expired

    assert tasks.delete_expired_refresh_tokens() == 2
    assert OutstandingToken.objects.count() == 1
    assert refresh(api_client, live).status_code == 200
