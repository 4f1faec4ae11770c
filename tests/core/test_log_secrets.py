"""A log line never holds a password, token or secret, and request lines name the request and its
user: a real flow (sign-up, logins, API token, JWTs, a webhook, a password change) runs with every
logger at DEBUG into a file with the project's own format, then the file is searched."""

import logging
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import transaction
from rest_framework.test import APIClient

from nexus.accounts.models import User
from nexus.core import events
from nexus.core.logging import RequestIdFilter
from tests import figures
from tests.notifications.conftest import Receiver

pytestmark = pytest.mark.django_db

EMAIL = "secret.keeper@example.com"
PASSWORD = "a-first-passphrase-only-i-know"
NEW_PASSWORD = "a-second-passphrase-only-i-know"
WRONG_PASSWORD = "a-guessed-passphrase-not-mine"
WRONG_API_TOKEN = "nxs_ThisIsNotAnyonesTokenButLooksLikeOne123"
CHAPA_SECRET_KEY = "CHASECK_TEST-a-chapa-secret-key-for-the-log-test"
CHAPA_WEBHOOK_SECRET = "a-chapa-webhook-secret-for-the-log-test"


@pytest.fixture
def debug_log(tmp_path, settings):
    """Every record of every logger, at DEBUG, in the format production writes, to a file."""
    path = tmp_path / "nexus.log"
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter(django_settings.LOGGING["formatters"]["text"]["format"]))
    handler.addFilter(RequestIdFilter())
    handler.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(), *map(logging.getLogger, ("django", "nexus", "celery"))]
    levels = [logger.level for logger in loggers]
    root = logging.getLogger()
    root.addHandler(handler)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        handler.close()
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def run_the_flow(client, receiver, capture) -> dict[str, str]:
    """Sign up, confirm, log in (once wrongly), get tokens, use them, make a webhook and deliver
    to it, change the password; returns every secret that went by, by name."""
    api = APIClient()
    secrets = {"password": PASSWORD, "new password": NEW_PASSWORD, "wrong password": WRONG_PASSWORD}
    secrets |= {"wrong API token": WRONG_API_TOKEN}
    with capture(execute=True):
        registered = api.post(
            "/api/v1/auth/register/",
            {"email": EMAIL, "password": PASSWORD, "display_name": "Keeper"},
            format="json",
        )
    assert registered.status_code == 202
    [link] = re.findall(r"/accounts/signup/confirm/[^/\s]+/[^/\s]+/", mail.outbox[-1].body)
    secrets["sign-up link token"] = link.rstrip("/").rsplit("/", 1)[-1]
    assert client.post(link, {"password": PASSWORD}).status_code == 302

    client.logout()
    wrong = client.post("/accounts/login/", {"username": EMAIL, "password": WRONG_PASSWORD})
    assert wrong.status_code == 200
    assert (
        client.post("/accounts/login/", {"username": EMAIL, "password": PASSWORD}).status_code
        == 302
    )
    secrets["session id"] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    profile = client.get("/accounts/profile/")
    assert profile.status_code == 200
    secrets["CSRF cookie"] = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    [secrets["CSRF form token"]] = set(
        re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', profile.content.decode())
    )
    made = client.post(
        "/accounts/profile/tokens/", {"name": "laptop"}, headers={"HX-Request": "true"}
    )
    [secrets["API token made on the web"]] = re.findall(
        r'data-testid="new-token">([^<]+)<', made.content.decode()
    )

    pair = api.post("/api/v1/auth/token/", {"email": EMAIL, "password": PASSWORD}, format="json")
    secrets["JWT access"], secrets["JWT refresh"] = pair.json()["access"], pair.json()["refresh"]
    refreshed = api.post("/api/v1/auth/token/refresh/", {"refresh": secrets["JWT refresh"]})
    secrets["refreshed JWT access"] = refreshed.json()["access"]
    bearer = {"Authorization": f"Bearer {secrets['refreshed JWT access']}"}
    created = api.post("/api/v1/me/tokens/", {"name": "ci"}, format="json", headers=bearer)
    assert created.status_code == 201
    secrets["API token"] = created.json()["key"]
    token = {"Authorization": f"Token {secrets['API token']}"}
    assert api.get("/api/v1/me/", headers=token).status_code == 200
    # Refusals are logged (django.request warns on 4xx): they must not carry what was sent.
    assert api.post("/api/v1/me/tokens/", {}, format="json", headers=token).status_code == 400
    refused = {"Authorization": f"Token {WRONG_API_TOKEN}"}
    assert api.get("/api/v1/me/", headers=refused).status_code == 401

    hook = api.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": ["mention"]},
        format="json",
        headers=token,
    )
    assert hook.status_code == 201
    secrets["webhook secret"] = hook.json()["secret"]
    rotated = api.post(f"/api/v1/webhooks/{hook.json()['id']}/rotate-secret/", headers=token)
    secrets["rotated webhook secret"] = rotated.json()["secret"]
    user = User.objects.get(email=EMAIL)
    with capture(execute=True), transaction.atomic():
        events.publish("mention", payload={"recipient_ids": [user.pk], "title": "hi", "url": "/"})
    assert receiver.requests, "the webhook was delivered"
    secrets["webhook signature"] = receiver.requests[-1]["headers"]["X-Nexus-Signature"]

    changed = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code in {200, 302}
    return secrets


def test_no_log_line_holds_a_secret_the_flow_used(
    debug_log, client, settings, django_capture_on_commit_callbacks
):
    settings.CHAPA_SECRET_KEY = CHAPA_SECRET_KEY
    settings.CHAPA_WEBHOOK_SECRET = CHAPA_WEBHOOK_SECRET
    settings.NEXUS_OUTBOUND_ALLOW_LOOPBACK = True
    receiver = Receiver()
    try:
        secrets = run_the_flow(client, receiver, django_capture_on_commit_callbacks)
    finally:
        receiver.close()
    secrets |= {"Chapa secret key": CHAPA_SECRET_KEY, "Chapa webhook secret": CHAPA_WEBHOOK_SECRET}
    secrets["SECRET_KEY"] = settings.SECRET_KEY
    text = Path(debug_log).read_text()
    lines = text.splitlines()
    # What else is logged depends on what this process did before (Celery logs a task's signature
    # once, at DEBUG): the flow's own refusals are what it certainly logs.
    assert any("django.request" in line for line in lines), "the flow's refusals were logged"
    leaked = {name for name, secret in secrets.items() if secret and secret in text}
    assert leaked == set()
    figures.report(
        f"log secrets: {len(lines)} lines at DEBUG, {len(secrets)} secrets searched, 0 found"
    )


def test_request_log_lines_carry_the_request_id_and_the_user_id(debug_log, client_for, owner):
    api = client_for(owner)
    response = api.post(
        "/api/v1/me/tokens/", {}, format="json", headers={"X-Request-ID": "trace-00000007"}
    )
    assert response.status_code == 400
    anonymous = APIClient().get("/api/v1/me/", headers={"X-Request-ID": "trace-00000008"})
    assert anonymous.status_code == 401
    text = Path(debug_log).read_text()
    assert re.search(
        rf"\[trace-00000007 \S+ user={owner.pk}\] django\.request: Bad Request", text
    ), text
    assert re.search(r"\[trace-00000008 \S+ user=-\] django\.request: Unauthorized", text), text
