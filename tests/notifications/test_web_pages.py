from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.core import clock
from nexus.notifications import services
from nexus.notifications.models import (
    EmailPreference,
    Notification,
    Subscription,
    Webhook,
    WebhookDelivery,
)

pytestmark = pytest.mark.django_db


def test_the_bell_shows_the_unread_count_and_polls(client, publish, owner):
    publish("mention", recipient_ids=[owner.pk], title="x")
    client.force_login(owner)
    response = client.get("/notifications/bell/")
    html = response.content.decode()
    assert 'data-testid="bell-count">1<' in html
    assert 'hx-trigger="every 15s"' in html
    assert "no-cache" in response["Cache-Control"]


def test_the_bell_costs_one_count_query(client, owner):
    client.force_login(owner)
    client.get("/notifications/bell/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/notifications/bell/")
    counts = [q["sql"] for q in queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1
    assert "COUNT" in counts[0].upper()


def test_every_page_loads_the_bell_for_signed_in_users_only(client, owner):
    assert b'hx-get="/notifications/bell/"' not in client.get("/").content
    client.force_login(owner)
    assert b'hx-get="/notifications/bell/"' in client.get("/").content


def test_the_list_groups_notifications_by_day(awkward_moment, client, publish, owner):
    publish("mention", recipient_ids=[owner.pk], title="today's")
    publish("mention", recipient_ids=[owner.pk], title="yesterday's")
    Notification.objects.filter(title__contains="yesterday").update(
        created_at=clock.now() - timedelta(days=1)
    )
    client.force_login(owner)
    html = client.get("/notifications/").content.decode()
    assert html.count('class="day-heading"') == 2
    assert html.index("today&#x27;s") < html.index("yesterday&#x27;s")


def test_the_list_has_an_empty_state_and_needs_a_login(client, owner):
    assert client.get("/notifications/").status_code == 302
    client.force_login(owner)
    assert b'data-testid="empty"' in client.get("/notifications/").content


def test_the_list_pages_with_a_cursor(client, publish, owner):
    for i in range(35):
        publish("mention", recipient_ids=[owner.pk], title=f"n{i:02d}")
    client.force_login(owner)
    first = client.get("/notifications/").context
    assert len(first["notifications"]) == 30
    second = client.get("/notifications/", {"before": first["next_cursor"]}, HTTP_HX_REQUEST="true")
    assert second.templates[0].name == "notifications/partials/items.html"
    titles = [n.title for n in second.context["notifications"]]
    assert titles == [f"Mentions of you: n{i:02d}" for i in range(4, -1, -1)]
    assert second.context["next_cursor"] == ""


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_page_takes_the_same_queries(client, publish, owner, other_user, count):
    for i in range(count):
        publish("mention", actor=other_user, recipient_ids=[owner.pk], title=str(i))
    client.force_login(owner)
    with CaptureQueriesContext(connection) as queries:
        client.get("/notifications/")
    assert len(queries) <= 6


def test_opening_a_notification_marks_it_read_and_follows_its_link(
    client, publish, owner, other_user
):
    publish("mention", recipient_ids=[owner.pk], title="x", url="/somewhere/")
    notification = Notification.objects.get()
    client.force_login(other_user)
    assert client.post(f"/notifications/{notification.pk}/open/").status_code == 404
    client.force_login(owner)
    response = client.post(f"/notifications/{notification.pk}/open/")
    assert response["Location"] == "/somewhere/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_read_from_the_page(client, publish, owner):
    publish("mention", recipient_ids=[owner.pk], title="x")
    client.force_login(owner)
    response = client.post("/notifications/read-all/", follow=True)
    assert b"1 notification marked read." in response.content
    assert not Notification.objects.filter(read_at=None).exists()


def test_the_preferences_page_saves_choices(client, owner):
    client.force_login(owner)
    page = client.get("/notifications/preferences/")
    assert page.context["form"]["mention"].value() == "instant"
    data = dict.fromkeys(page.context["form"].fields, "weekly")
    data["mention"] = "never"
    client.post("/notifications/preferences/", data)
    assert EmailPreference.objects.get(user=owner, event_type="mention").frequency == "never"
    bad = client.post("/notifications/preferences/", {**data, "mention": "hourly"})
    assert b'data-field="mention"' in bad.content


def test_registering_a_webhook_on_the_page_shows_its_secret_once(client, owner, receiver):
    client.force_login(owner)
    response = client.post("/notifications/webhooks/", {"url": receiver.url, "events": ["mention"]})
    secret = response.context["new_secret"]
    assert secret in response.content.decode()
    assert secret not in client.get("/notifications/webhooks/").content.decode()
    assert Webhook.objects.get().secret == secret


def test_an_unsafe_webhook_url_shows_next_to_its_field(client, owner):
    client.force_login(owner)
    response = client.post(
        "/notifications/webhooks/", {"url": "http://169.254.169.254/", "events": ["mention"]}
    )
    assert b'data-field="url"' in response.content
    assert not Webhook.objects.exists()


def test_the_webhook_page_lists_deliveries_and_redelivers(
    client, publish, owner, other_user, receiver, django_capture_on_commit_callbacks
):
    webhook, _ = services.webhook_create(actor=owner, url=receiver.url, events=["mention"])
    publish("mention", recipient_ids=[owner.pk], title="x")
    delivery = WebhookDelivery.objects.get()
    client.force_login(other_user)
    assert client.get(f"/notifications/webhooks/{webhook.pk}/").status_code == 404
    redeliver = f"/notifications/webhooks/{webhook.pk}/deliveries/{delivery.pk}/redeliver/"
    assert client.post(redeliver).status_code == 404
    client.force_login(owner)
    page = client.get(f"/notifications/webhooks/{webhook.pk}/")
    assert page.content.decode().count('data-testid="delivery"') == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(redeliver)
    assert len(receiver.requests) == 2
    rotated = client.post(f"/notifications/webhooks/{webhook.pk}/rotate/")
    assert rotated.context["new_secret"].startswith("whsec_")
    client.post(f"/notifications/webhooks/{webhook.pk}/toggle/")
    webhook.refresh_from_db()
    assert not webhook.is_active
    client.post(f"/notifications/webhooks/{webhook.pk}/delete/")
    assert not Webhook.objects.exists()


def test_the_follow_button_toggles_with_htmx(client, rf, owner):
    from django.template import Context, Template

    template = Template('{% load notifications %}{% follow_button "challenges.tag" "sql" %}')
    request = rf.get("/")
    request.user = owner
    assert "Follow</button>" in template.render(Context({"request": request}))
    client.force_login(owner)
    body = {"target_type": "challenges.tag", "target_id": "sql", "follow": "1"}
    response = client.post("/notifications/follow/", body, HTTP_HX_REQUEST="true")
    assert b"Following</button>" in response.content
    assert Subscription.objects.filter(user=owner, target_id="sql").exists()
    assert "Following</button>" in template.render(Context({"request": request}))
    client.post("/notifications/follow/", {**body, "follow": "0"}, HTTP_HX_REQUEST="true")
    assert not Subscription.objects.exists()
    bad = client.post("/notifications/follow/", {**body, "target_type": "Bad Type"})
    assert bad.status_code == 400


def test_the_follow_button_is_hidden_from_anonymous_visitors(client, rf):
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template

    request = rf.get("/")
    request.user = AnonymousUser()
    template = Template('{% load notifications %}{% follow_button "challenges.tag" "sql" %}')
    assert "button" not in template.render(Context({"request": request}))
    assert client.post("/notifications/follow/").status_code == 302
