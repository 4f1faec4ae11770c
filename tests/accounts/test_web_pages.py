import re

import pytest
from django.core import mail

from nexus.accounts.models import ApiToken, User
from nexus.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def test_signing_up_mails_a_link_that_confirms_and_logs_the_user_in(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {
                "email": "new@example.com",
                "display_name": "Newt",
                "track": "frontend",
                "password": "a-long-enough-passphrase",
            },
            follow=True,
        )
    assert response.redirect_chain[-1][0] == "/accounts/signup/sent/"
    assert b"Check your e-mail" in response.content
    assert "_auth_user_id" not in client.session
    [message] = mail.outbox
    path = re.search(r"http://testserver(/accounts/signup/confirm/\S+/)", message.body).group(1)
    confirmed = client.post(path, {"password": "a-long-enough-passphrase"}, follow=True)
    assert confirmed.redirect_chain[-1][0] == "/accounts/profile/"
    assert b"Welcome to Nexus, Newt!" in confirmed.content
    user = User.objects.get(email="new@example.com")
    assert (user.track, user.is_active, user.signup_pending) == ("frontend", True, False)


def test_sign_up_errors_show_next_to_their_field_and_never_say_the_address_is_taken(client, owner):
    response = client.post(
        "/accounts/signup/",
        {"email": owner.email, "display_name": "X", "track": "backend", "password": "password"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-field="email"' not in html
    assert 'data-field="password"' in html
    assert "This password is too common." in html
    assert User.objects.count() == 1


def test_logging_in_with_email_and_out_again(client, owner):
    response = client.post(
        "/accounts/login/",
        {"username": owner.email, "password": "correct-horse-battery-staple"},
        follow=True,
    )
    assert response.redirect_chain == [("/", 302)]  # what to do next, not the profile form
    assert client.get("/accounts/profile/").status_code == 200
    assert client.get("/accounts/logout/").status_code == 405
    logged_out = client.post("/accounts/logout/", follow=True)
    assert logged_out.redirect_chain[-1][0] == "/"
    assert client.get("/accounts/profile/").status_code == 302


def test_a_wrong_password_shows_an_error_and_logs_nobody_in(client, owner):
    response = client.post("/accounts/login/", {"username": owner.email, "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content
    assert "_auth_user_id" not in client.session


def test_the_profile_needs_a_login(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_profile_form_saves_and_validates(client, owner):
    client.force_login(owner)
    bad = client.post(
        "/accounts/profile/",
        {"display_name": "", "track": "backend", "avatar_url": "not a url"},
    )
    assert bad.status_code == 200
    assert b'data-field="display_name"' in bad.content
    assert b'data-field="avatar_url"' in bad.content
    good = client.post(
        "/accounts/profile/",
        {"display_name": "Olivia O.", "bio": "Hi", "track": "fullstack", "cohort": "2026"},
    )
    assert good.status_code == 302
    owner.refresh_from_db()
    # The cohort is the membership's, never typed in: the form has no such field any more.
    assert (owner.display_name, owner.cohort) == ("Olivia O.", "")


def test_creating_a_token_over_htmx_returns_just_the_partial(client, owner):
    client.force_login(owner)
    response = client.post(
        "/accounts/profile/tokens/", {"name": "cli"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="api-tokens">')
    assert "<html" not in html
    assert 'data-testid="new-token">nxs_' in html
    assert ApiToken.objects.get(user=owner).name == "cli"


def test_creating_a_token_without_htmx_renders_a_whole_page(client, owner):
    client.force_login(owner)
    response = client.post("/accounts/profile/tokens/", {"name": ""})
    assert b"<html" in response.content
    assert b'data-field="name"' in response.content
    assert not ApiToken.objects.exists()


def test_nobody_can_revoke_another_users_token_from_the_web(client, owner, other_user):
    token, _ = api_token_create(user=owner, name="laptop")
    client.force_login(other_user)
    assert client.post(f"/accounts/profile/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_profile_page_queries_are_bounded(client, owner, django_assert_max_num_queries):
    for index in range(20):
        api_token_create(user=owner, name=f"token {index}")
    client.force_login(owner)
    with django_assert_max_num_queries(6):
        response = client.get("/accounts/profile/")
    assert response.content.count(b"Revoke</button>") == 20


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/signup/sent/",
        "/accounts/password/reset/",
    ],
)
def test_public_pages_render_with_the_shell(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta name="viewport"' in html
    assert "/static/vendor/htmx.min.js" in html
    assert "/static/vendor/pico.min.css" in html


def _password_errors(html, field):
    [errors] = re.findall(rf'<small class="field-error" data-field="{field}">(.*?)</small>', html)
    return errors.split("<br>")


def test_each_password_error_is_on_its_own_line_at_sign_up(client, db):
    response = client.post(
        "/accounts/signup/",
        {"email": "n@example.com", "display_name": "N", "track": "backend", "password": "1234"},
    )
    errors = _password_errors(response.content.decode(), "password")
    assert len(errors) >= 3
    assert all(e.startswith('<span class="field-error-message">') for e in errors)
    assert any("too common" in e for e in errors)
    assert any("too short" in e for e in errors)


def test_each_password_error_is_on_its_own_line_when_changing_it(client, owner):
    client.force_login(owner)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": "correct-horse-battery-staple", "new_password": "1234"},
    )
    assert response.status_code == 200
    errors = _password_errors(response.content.decode(), "new_password")
    assert len(errors) >= 3
    assert any("too common" in e for e in errors)


def test_logging_in_goes_where_the_visitor_was_heading(client, owner):
    response = client.post(
        "/accounts/login/",
        {
            "username": owner.email,
            "password": "correct-horse-battery-staple",
            "next": "/challenges/",
        },
    )
    assert response["Location"] == "/challenges/"


def test_signed_in_visitors_of_the_sign_up_page_go_home(client, owner):
    client.force_login(owner)
    assert client.get("/accounts/signup/")["Location"] == "/"
