"""Nobody learns who has an account: logging in, signing up and asking for a reset answer the same
and do the same work for a known address and an unknown one.

"The same work" is counted (password hashes, tasks handed on), not timed, so the tests hold on a
busy machine (a timed comparison flaked on these noisy 2-core machines).
"""

import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail

pytestmark = pytest.mark.django_db

UNKNOWN = "nobody.at.all@example.com"
PASSPHRASE = "a-long-enough-passphrase"


class CountingHasher(MD5PasswordHasher):
    """Counts every hash it computes (making one, or checking one)."""

    computed = 0

    def encode(self, password, salt):
        CountingHasher.computed += 1
        return super().encode(password, salt)


@pytest.fixture
def count_hashes(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_enumeration.CountingHasher"]

    def run(action):
        before = CountingHasher.computed
        result = action()
        return result, CountingHasher.computed - before

    return run


@pytest.fixture
def known(db, count_hashes):
    from tests.factories import UserFactory

    return UserFactory(email="someone.known@example.com")


def same_page(response, email):
    """The page with what differs by design taken out: the typed address, the CSRF tokens and the
    Content-Security-Policy nonces (fresh for every response)."""
    html = response.content.decode().replace(email, "EMAIL")
    html = re.sub(r'nonce="[^"]*"', 'nonce="NONCE"', html)
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "CSRF", html)


def same_problem(response):
    return {k: v for k, v in response.json().items() if k != "request_id"}


def test_a_web_login_answers_alike_for_a_known_and_an_unknown_address(client, known, count_hashes):
    answers = {}
    for email in (known.email, UNKNOWN):
        response, hashes = count_hashes(
            lambda email=email: client.post(
                "/accounts/login/", {"username": email, "password": "wrong"}
            )
        )
        answers[email] = (response.status_code, same_page(response, email), hashes)
    assert answers[known.email] == answers[UNKNOWN]
    assert answers[UNKNOWN][2] == 1


def test_an_api_login_answers_alike_for_a_known_and_an_unknown_address(
    api_client, known, count_hashes
):
    answers = {}
    for email in (known.email, UNKNOWN):
        response, hashes = count_hashes(
            lambda email=email: api_client.post(
                "/api/v1/auth/token/", {"email": email, "password": "wrong"}, format="json"
            )
        )
        answers[email] = (response.status_code, same_problem(response), hashes)
    assert answers[known.email] == answers[UNKNOWN]
    assert answers[UNKNOWN][0] == 401


def test_an_unknown_address_locks_out_like_a_known_one(client, known, settings):
    answers = {}
    for email in (known.email, UNKNOWN):
        for _ in range(settings.NEXUS_LOGIN_FAILURES_PER_ACCOUNT):
            client.post("/accounts/login/", {"username": email, "password": "wrong"})
        response = client.post("/accounts/login/", {"username": email, "password": "wrong"})
        answers[email] = (response.status_code, response["Retry-After"], same_page(response, email))
    assert answers[known.email] == answers[UNKNOWN]
    assert answers[UNKNOWN][0] == 429


def test_signing_up_answers_alike_for_a_free_and_a_taken_address(
    api_client, known, count_hashes, django_capture_on_commit_callbacks
):
    answers = {}
    for email in (known.email, "free.address@example.com"):
        payload = {"email": email, "password": PASSPHRASE, "display_name": "Someone"}
        with django_capture_on_commit_callbacks() as handed_on:
            response, hashes = count_hashes(
                lambda payload=payload: api_client.post(
                    "/api/v1/auth/register/", payload, format="json"
                )
            )
        answers[email] = (response.status_code, response.json(), hashes, len(handed_on))
    assert answers[known.email] == answers["free.address@example.com"]
    assert answers[known.email][0] == 202
    assert answers[known.email][2:] == (1, 1), "one hash and one e-mail task each"


def test_signing_up_on_the_web_answers_alike_for_a_free_and_a_taken_address(client, known):
    pages = []
    for email in (known.email, "free.address@example.com"):
        response = client.post(
            "/accounts/signup/",
            {"email": email, "display_name": "Someone", "track": "backend", "password": PASSPHRASE},
            follow=True,
        )
        pages.append((response.redirect_chain, same_page(response, email)))
    assert pages[0] == pages[1]
    assert pages[0][0] == [("/accounts/signup/sent/", 302)]


def test_a_reset_answers_alike_and_hands_on_alike_for_a_known_and_an_unknown_address(
    api_client, known, count_hashes, django_capture_on_commit_callbacks
):
    answers = {}
    for email in (known.email, UNKNOWN):
        with django_capture_on_commit_callbacks(execute=True) as handed_on:
            response, hashes = count_hashes(
                lambda email=email: api_client.post(
                    "/api/v1/auth/password-reset/", {"email": email}, format="json"
                )
            )
        answers[email] = (response.status_code, response.content, hashes, len(handed_on))
    assert answers[known.email] == answers[UNKNOWN]
    assert answers[UNKNOWN] == (202, b"", 0, 1)
    # The mailbox is the only place the difference shows.
    assert [message.to for message in mail.outbox] == [[known.email]]


def test_a_web_reset_answers_alike_for_a_known_and_an_unknown_address(client, known):
    redirects = [
        client.post("/accounts/password/reset/", {"email": email}, follow=True).redirect_chain
        for email in (known.email, UNKNOWN)
    ]
    assert redirects[0] == redirects[1] == [("/accounts/password/reset/sent/", 302)]
