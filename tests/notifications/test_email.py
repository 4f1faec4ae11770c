import re
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from nexus.notifications import services
from nexus.notifications.channels.email import UNSUBSCRIBE_SALT, unsubscribe_token
from nexus.notifications.models import EmailPreference, Notification
from nexus.notifications.tasks import send_digests, send_instant_emails

pytestmark = pytest.mark.django_db


def _unsubscribe_path(message):
    return re.search(r"http://[^/]+(/notifications/unsubscribe/[^/]+/)", message.body).group(1)


def test_an_instant_event_sends_a_multipart_email_with_an_unsubscribe_link(
    publish, owner, other_user, mailoutbox
):
    publish("mention", actor=owner, recipient_ids=[other_user.pk], title="@oscar look", url="/x/")
    [message] = mailoutbox
    assert message.to == [other_user.email]
    assert message.subject == "[Nexus] Mentions of you: @oscar look"
    assert "http://127.0.0.1:8000/x/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="http://127.0.0.1:8000/x/"' in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _unsubscribe_path(message) in message.extra_headers["List-Unsubscribe"]
    assert Notification.objects.get().emailed_at is not None


def test_sending_instant_emails_again_sends_nothing_more(publish, other_user, mailoutbox):
    event = publish("mention", recipient_ids=[other_user.pk], title="hi")
    assert send_instant_emails(str(event.pk)) == 0
    assert len(mailoutbox) == 1


def test_a_never_preference_stops_the_email_but_not_the_notification(
    publish, other_user, mailoutbox
):
    services.email_preferences_update(user=other_user, preferences={"mention": "never"})
    publish("mention", recipient_ids=[other_user.pk], title="hi")
    assert mailoutbox == []
    assert Notification.objects.get().email_frequency == "never"


def test_the_daily_digest_gathers_everything_pending_into_one_email(
    publish, owner, other_user, mailoutbox
):
    services.email_preferences_update(user=other_user, preferences={"mention": "daily"})
    publish("mention", recipient_ids=[other_user.pk], title="first", url="/1/")
    publish("article.published", recipient_ids=[other_user.pk], title="second", url="/2/")
    publish("article.updated", recipient_ids=[other_user.pk], title="weekly one")
    publish("article.published", recipient_ids=[owner.pk], title="owner's")
    mailoutbox.clear()

    assert send_digests("daily") == 2
    by_recipient = {m.to[0]: m for m in mailoutbox}
    digest = by_recipient[other_user.email]
    assert digest.subject == "[Nexus] Your daily digest: 2 updates"
    assert "Mentions of you: first" in digest.body
    assert "New articles in what you follow: second" in digest.body
    assert "weekly one" not in digest.body
    assert "unsubscribe" in digest.alternatives[0][0].lower()

    mailoutbox.clear()
    assert send_digests("daily") == 0
    assert send_digests("weekly") == 1
    assert "weekly one" in mailoutbox[0].body


def test_an_unsubscribe_link_asks_first_then_turns_off_that_email(
    client, publish, other_user, mailoutbox
):
    publish("mention", recipient_ids=[other_user.pk], title="hi")
    path = _unsubscribe_path(mailoutbox[0])
    page = client.get(path)
    assert page.status_code == 200
    assert b"unsubscribe-confirm" in page.content
    assert not EmailPreference.objects.exists()

    done = client.post(path)
    assert done.status_code == 200
    assert b"mentions of you" in done.content
    assert EmailPreference.objects.get(user=other_user, event_type="mention").frequency == "never"
    mailoutbox.clear()
    publish("mention", recipient_ids=[other_user.pk], title="again")
    assert mailoutbox == []


def test_a_digest_unsubscribe_link_turns_off_all_email(client, publish, other_user, mailoutbox):
    publish("article.published", recipient_ids=[other_user.pk], title="t")
    send_digests("daily")
    assert client.post(_unsubscribe_path(mailoutbox[0])).status_code == 200
    assert set(EmailPreference.objects.values_list("frequency", flat=True)) == {"never"}


@pytest.mark.parametrize("tamper", ["garbage", "flipped", "other_salt", "unknown_event"])
def test_a_tampered_unsubscribe_link_is_refused(client, other_user, tamper):
    valid = unsubscribe_token(other_user.pk, "mention")
    token = {
        "garbage": "garbage",
        "flipped": valid[:-2] + ("xx" if not valid.endswith("xx") else "yy"),
        "other_salt": signing.dumps({"u": other_user.pk, "e": "mention"}, salt="another-salt"),
        "unknown_event": signing.dumps({"u": other_user.pk, "e": "nope"}, salt=UNSUBSCRIBE_SALT),
    }[tamper]
    response = client.post(f"/notifications/unsubscribe/{token}/")
    assert response.status_code == 400
    assert b"unsubscribe-invalid" in response.content
    assert not EmailPreference.objects.exists()
    assert client.post(f"/notifications/unsubscribe/{valid}/").status_code == 200


def test_old_read_notifications_are_cleaned_up(publish, other_user):
    from nexus.notifications.tasks import delete_old_read_notifications

    publish("mention", recipient_ids=[other_user.pk], title="old")
    publish("feedback.replied", recipient_ids=[other_user.pk], title="unread")
    publish("solution.accepted", recipient_ids=[other_user.pk], title="recently read")
    Notification.objects.filter(title__contains="old").update(
        read_at=timezone.now() - timedelta(days=200)
    )
    Notification.objects.filter(title__contains="recently").update(read_at=timezone.now())
    assert delete_old_read_notifications() == 1
    assert Notification.objects.count() == 2


def test_learners_are_reminded_to_reflect_once_a_month(
    owner, mentor, django_capture_on_commit_callbacks
):
    from nexus.notifications.tasks import remind_learners_to_reflect

    with django_capture_on_commit_callbacks(execute=True):
        assert remind_learners_to_reflect() is True
        assert remind_learners_to_reflect() is False
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [owner.pk]


def test_digests_clean_up_and_reminders_are_scheduled_with_beat():
    from nexus.celery import app as celery_app

    schedule = celery_app.conf.beat_schedule
    assert schedule["daily-digest"]["args"] == ["daily"]
    assert schedule["weekly-digest"]["args"] == ["weekly"]
    for name in (
        "daily-digest",
        "weekly-digest",
        "delete-old-read-notifications",
        "monthly-reflection-reminder",
    ):
        assert schedule[name]["task"] in celery_app.tasks
