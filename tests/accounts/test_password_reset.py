import re

import pytest
from django.core import mail

from nexus.accounts.models import User

pytestmark = pytest.mark.django_db


def reset_link():
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.alternatives, "the e-mail has an HTML part"
    return re.search(r"http://testserver(/accounts/reset/(\S+)/(\S+)/)", message.body)


def test_a_reset_mails_a_working_link(api_client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/password-reset/", {"email": owner.email}, format="json"
        )
    assert response.status_code == 202
    link = reset_link()
    uid, token = link.group(2), link.group(3)
    confirm = api_client.post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": uid, "token": token, "new_password": "a-brand-new-passphrase"},
        format="json",
    )
    assert confirm.status_code == 204
    owner.refresh_from_db()
    assert owner.check_password("a-brand-new-passphrase")
    reused = api_client.post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": uid, "token": token, "new_password": "yet-another-passphrase"},
        format="json",
    )
    assert reused.status_code == 400


def test_an_unknown_email_gets_the_same_answer_and_no_mail(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/password-reset/", {"email": "nobody@example.com"}, format="json"
        )
    assert response.status_code == 202
    assert mail.outbox == []


def test_a_tampered_reset_token_is_refused(api_client, owner):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    response = api_client.post(
        "/api/v1/auth/password-reset/confirm/",
        {
            "uid": urlsafe_base64_encode(force_bytes(owner.pk)),
            "token": "abc-123",
            "new_password": "a-brand-new-passphrase",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "token"
    assert User.objects.get(pk=owner.pk).check_password("correct-horse-battery-staple")


def test_the_web_reset_flow_sets_a_new_password(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 302
    path = reset_link().group(1)
    form_page = client.get(path, follow=True)
    assert b"Set a new password" in form_page.content
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )
    assert done.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("a-brand-new-passphrase")
