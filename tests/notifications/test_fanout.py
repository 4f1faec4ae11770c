import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from nexus.core import events
from nexus.notifications import fanout, services
from nexus.notifications.models import Notification, Subscription, WebhookDelivery
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_followers_of_the_subject_are_notified_but_not_the_actor(
    publish, owner, other_user, mentor
):
    services.subscription_create(user=other_user, target_type="accounts.user", target_id=owner.pk)
    services.subscription_create(user=owner, target_type="accounts.user", target_id=owner.pk)
    publish("article.published", subject=owner, actor=owner, title="Caching 101", url="/a/c/")
    notification = Notification.objects.get()
    assert notification.recipient == other_user
    assert notification.title == "New articles in what you follow: Caching 101"
    assert notification.url == "/a/c/"
    assert (notification.subject_type, notification.subject_id) == ("accounts.user", str(owner.pk))
    assert notification.actor == owner


def test_followers_of_payload_targets_are_notified(publish, owner, other_user, mentor):
    services.subscription_create(
        user=other_user, target_type="knowledge.technology", target_id="django"
    )
    services.subscription_create(user=mentor, target_type="challenges.tag", target_id="sql")
    publish(
        "article.published",
        actor=owner,
        title="ORM tips",
        follow_targets=[["knowledge.technology", "django"], ["challenges.tag", "sql"], "junk"],
    )
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {
        other_user.pk,
        mentor.pk,
    }


def test_direct_recipients_are_notified_without_following(publish, owner, other_user):
    publish(
        "mention", actor=owner, title="You were mentioned", recipient_ids=[other_user.pk, 999999]
    )
    assert list(Notification.objects.values_list("recipient_id", "event_name")) == [
        (other_user.pk, "mention")
    ]


def test_someone_following_twice_over_gets_one_notification(publish, owner, other_user):
    services.subscription_create(
        user=other_user, target_type="knowledge.technology", target_id="django"
    )
    publish(
        "article.published",
        subject=owner,
        follow_targets=[["knowledge.technology", "django"]],
        recipient_ids=[other_user.pk],
    )
    assert Notification.objects.filter(recipient=other_user).count() == 1


def test_inactive_users_are_not_notified(publish, owner, other_user):
    other_user.is_active = False
    other_user.save()
    services.subscription_create(user=other_user, target_type="accounts.user", target_id=owner.pk)
    publish("article.published", subject=owner, recipient_ids=[other_user.pk])
    assert not Notification.objects.exists()


def test_fanning_out_the_same_event_twice_changes_nothing(publish, owner, other_user):
    services.subscription_create(user=other_user, target_type="accounts.user", target_id=owner.pk)
    event = publish("article.updated", subject=owner, title="v2")
    assert fanout.event_fan_out(event=event) == 1
    assert Notification.objects.count() == 1


def test_authors_and_commenters_follow_the_subject(publish, owner, other_user, mentor):
    publish("article.published", subject=mentor, author_id=owner.pk, follower_ids=[other_user.pk])
    follows = Subscription.objects.values_list("user_id", "target_type", "target_id")
    assert set(follows) == {
        (owner.pk, "accounts.user", str(mentor.pk)),
        (other_user.pk, "accounts.user", str(mentor.pk)),
    }


def test_an_unsafe_link_in_the_payload_is_dropped(publish, owner, other_user):
    publish("mention", recipient_ids=[other_user.pk], title="x", url="javascript:alert(1)")
    publish("feedback.replied", recipient_ids=[other_user.pk], title="y", url="//evil.example/")
    assert set(Notification.objects.values_list("url", flat=True)) == {""}


def test_an_unknown_event_still_notifies_in_the_app_but_never_by_email(
    publish, other_user, mailoutbox
):
    publish("journal.shared", recipient_ids=[other_user.pk], title="Week 3")
    notification = Notification.objects.get()
    assert notification.title == "journal.shared: Week 3"
    assert notification.email_frequency == "never"
    assert mailoutbox == []


@pytest.mark.parametrize("followers", [40, 400])
def test_fan_out_takes_a_bounded_number_of_queries_whatever_the_followers(publish, followers):
    users = UserFactory.create_batch(followers)
    Subscription.objects.bulk_create(
        Subscription(user=user, target_type="knowledge.technology", target_id="go")
        for user in users
    )
    publish("article.updated", title="warm-up")  # nobody follows: nothing to count
    event = publish(
        "article.updated", title="Go 1.30", follow_targets=[["knowledge.technology", "go"]]
    )
    Notification.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        assert fanout.event_fan_out(event=event, batch_size=100) == followers
    batches = -(-followers // 100)
    # Per batch: insert, preferences, one update per frequency, webhooks; plus fixed reads.
    assert len(queries) <= 3 + 4 * batches
    assert Notification.objects.filter(event_id=event.pk).count() == followers


def test_events_handed_over_together_reach_people_once_per_kind_and_actor_but_webhooks_each(
    owner, other_user, mentor, receiver, django_capture_on_commit_callbacks
):
    services.subscription_create(
        user=other_user, target_type="knowledge.technology", target_id="django"
    )
    services.webhook_create(actor=other_user, url=receiver.url, events=["article.published"])
    django = [["knowledge.technology", "django"]]
    with events.batched(), django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            with transaction.atomic():
                events.publish(
                    "article.published",
                    actor=owner,
                    payload={"title": f"A{n}", "follow_targets": django},
                )
        with transaction.atomic():
            events.publish(
                "article.published", actor=mentor, payload={"title": "B", "follow_targets": django}
            )
            events.publish(
                "challenge.created", actor=owner, payload={"title": "C", "follow_targets": django}
            )
    titles = sorted(
        Notification.objects.filter(recipient=other_user).values_list("title", flat=True)
    )
    assert titles == [
        "New articles in what you follow: A0 (and 4 more)",
        "New articles in what you follow: B",
        "New challenges in what you follow: C",
    ]
    deliveries = WebhookDelivery.objects.filter(webhook__owner=other_user)
    assert sorted(d.payload["data"]["title"] for d in deliveries) == [
        "A0",
        "A1",
        "A2",
        "A3",
        "A4",
        "B",
    ]
    assert len(receiver.requests) == 6
