"""Signing up: a pending account, a link to the mailbox, the sign-up password to confirm it."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail

from nexus.accounts import services, tasks
from nexus.accounts.models import User
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

PASSPHRASE = "a-long-enough-passphrase"


def sign_up(api_client, capture, email="lina@example.com", password=PASSPHRASE, **fields):
    mail.outbox.clear()
    payload = {"email": email, "password": password, "display_name": "Lina", **fields}
    with capture(execute=True):
        response = api_client.post("/api/v1/auth/register/", payload, format="json")
    assert response.status_code == 202, response.content
    return response


def confirmation(message):
    match = re.search(r"/accounts/signup/confirm/([^/\s]+)/([^/\s]+)/", message.body)
    assert match, message.body
    return {"uid": match.group(1), "token": match.group(2)}


def confirm(api_client, link, password=PASSPHRASE):
    return api_client.post(
        "/api/v1/auth/register/confirm/", {**link, "password": password}, format="json"
    )


def test_the_api_confirms_a_sign_up_with_the_link_and_its_password(
    api_client, django_capture_on_commit_callbacks
):
    sign_up(api_client, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.to == ["lina@example.com"]
    assert message.subject == "Confirm your Nexus account"
    link = confirmation(message)
    # Pending: a login with the right password gets the answer a wrong one gets.
    pending = api_client.post(
        "/api/v1/auth/token/", {"email": "lina@example.com", "password": PASSPHRASE}, format="json"
    )
    assert pending.status_code == 401

    confirmed = confirm(api_client, link)
    assert confirmed.status_code == 200
    assert confirmed.json()["email"] == "lina@example.com"
    user = User.objects.get(email="lina@example.com")
    assert (user.is_active, user.signup_pending) == (True, False)
    login = api_client.post(
        "/api/v1/auth/token/", {"email": "lina@example.com", "password": PASSPHRASE}, format="json"
    )
    assert login.status_code == 200
    # The link worked once.
    assert confirm(api_client, link).json()["errors"][0]["field"] == "token"


def test_the_confirmation_asks_for_the_sign_up_password(
    api_client, django_capture_on_commit_callbacks
):
    sign_up(api_client, django_capture_on_commit_callbacks)
    link = confirmation(mail.outbox[0])
    wrong = confirm(api_client, link, password="not-the-one")
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "password"
    assert User.objects.get(email="lina@example.com").signup_pending


def test_a_squatter_who_signs_up_last_still_cannot_take_the_account(
    api_client, django_capture_on_commit_callbacks
):
    sign_up(api_client, django_capture_on_commit_callbacks, password=PASSPHRASE)
    owners_link = confirmation(mail.outbox[0])
    sign_up(api_client, django_capture_on_commit_callbacks, password="squatters-own-passphrase")
    squatters_link = confirmation(mail.outbox[0])
    # The squatter's sign-up mailed the owner; the owner's first link died with their password.
    assert confirm(api_client, owners_link).json()["errors"][0]["field"] == "token"
    # Following the newest link, the owner cannot confirm without the squatter's password...
    assert confirm(api_client, squatters_link).json()["errors"][0]["field"] == "password"
    # ...and signing up again puts their own password back, with a fresh link.
    sign_up(api_client, django_capture_on_commit_callbacks, password=PASSPHRASE)
    assert confirm(api_client, confirmation(mail.outbox[0])).status_code == 200
    assert User.objects.get(email="lina@example.com").check_password(PASSPHRASE)


def test_a_taken_address_gets_its_owner_a_notice_and_changes_nothing(
    api_client, owner, django_capture_on_commit_callbacks
):
    before = User.objects.values().get(pk=owner.pk)
    sign_up(api_client, django_capture_on_commit_callbacks, email=owner.email.upper())
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert message.subject == "You already have a Nexus account"
    assert "/accounts/password/reset/" in message.body
    assert User.objects.count() == 1
    assert User.objects.values().get(pk=owner.pk) == before


def test_a_deactivated_account_is_not_revived_by_signing_up(
    api_client, owner, admin_user, django_capture_on_commit_callbacks
):
    services.user_deactivate(actor=admin_user, user=owner)
    sign_up(api_client, django_capture_on_commit_callbacks, email=owner.email)
    assert mail.outbox[0].subject == "You already have a Nexus account"
    owner.refresh_from_db()
    assert (owner.is_active, owner.check_password(DEFAULT_PASSWORD)) == (False, True)


def test_a_confirmation_link_expires(
    awkward_moment, api_client, settings, django_capture_on_commit_callbacks
):
    sign_up(api_client, django_capture_on_commit_callbacks)
    link = confirmation(mail.outbox[0])
    awkward_moment.advance(timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1))
    assert confirm(api_client, link).json()["errors"][0]["field"] == "token"


@pytest.mark.parametrize(
    "link",
    [{"uid": "!!", "token": "x"}, {"uid": "MTIzNDU2Nzg5", "token": "abc-def"}],
    ids=["garbage-uid", "unknown-user"],
)
def test_a_bad_confirmation_link_is_a_field_error(api_client, link):
    response = confirm(api_client, link)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "token"


def test_signing_up_twice_makes_one_pending_account(api_client, django_capture_on_commit_callbacks):
    sign_up(api_client, django_capture_on_commit_callbacks)
    sign_up(api_client, django_capture_on_commit_callbacks, display_name="Lina B.")
    assert User.objects.filter(email="lina@example.com").get().display_name == "Lina B."


def test_the_web_confirmation_shows_a_bad_link_and_a_wrong_password(
    client, api_client, django_capture_on_commit_callbacks
):
    sign_up(api_client, django_capture_on_commit_callbacks)
    link = confirmation(mail.outbox[0])
    path = f"/accounts/signup/confirm/{link['uid']}/{link['token']}/"
    assert b"Enter the password you chose" in client.get(path).content
    wrong = client.post(path, {"password": "not-the-one"})
    assert b'data-field="password"' in wrong.content
    bad = client.post(f"/accounts/signup/confirm/{link['uid']}/nope/", {"password": PASSPHRASE})
    assert b"invalid or has expired" in bad.content


def test_guessing_the_password_of_a_confirmation_is_limited_like_a_login(
    api_client, settings, django_capture_on_commit_callbacks
):
    sign_up(api_client, django_capture_on_commit_callbacks)
    link = confirmation(mail.outbox[0])
    for _ in range(settings.NEXUS_LOGIN_FAILURES_PER_ACCOUNT):
        assert confirm(api_client, link, password="a-guess").status_code == 400
    refused = confirm(api_client, link)
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert refused.json()["errors"][0]["field"] == "password"


def test_a_sign_up_nobody_confirmed_is_deleted_once_its_link_expired(
    stopped_clock, api_client, django_capture_on_commit_callbacks, owner, admin_user
):
    kept = {owner.email, admin_user.email}  # a deactivated account is no pending sign-up
    sign_up(api_client, django_capture_on_commit_callbacks, email="late@example.com")
    sign_up(api_client, django_capture_on_commit_callbacks, email="later@example.com")
    services.user_deactivate(actor=admin_user, user=owner)
    lifetime = timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)

    stopped_clock.shift(lifetime / 2)
    sign_up(
        api_client, django_capture_on_commit_callbacks, email="later@example.com"
    )  # signing up again sends a new link
    stopped_clock.shift(lifetime / 2 + timedelta(seconds=1))
    assert tasks.delete_expired_signups() == 1
    assert set(User.objects.values_list("email", flat=True)) == {"later@example.com", *kept}

    stopped_clock.shift(lifetime / 2)
    assert tasks.delete_expired_signups() == 1
    assert set(User.objects.values_list("email", flat=True)) == kept
