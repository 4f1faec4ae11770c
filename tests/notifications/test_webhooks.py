import hashlib
import hmac
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.notifications import services
from nexus.notifications.channels.webhook import sign
from nexus.notifications.models import Notification, Webhook, WebhookDelivery
from nexus.notifications.tasks import backoff_seconds
from tests import hostile
from tests.shared import require

pytestmark = pytest.mark.django_db


# One URL of each class of the own corpus goes through the API; all of them through the service.
UNSAFE_URLS = [urls[0] for urls in hostile.ssrf_classes().values()]


def verify(secret, request):
    """What a receiver does: recompute the HMAC over timestamp + "." + body."""
    headers = request["headers"]
    signed = headers["X-Nexus-Timestamp"].encode() + b"." + request["body"]
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Nexus-Signature"])


def test_the_signature_is_hmac_sha256_over_timestamp_and_body():
    expected = hmac.new(b"s3cret", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert sign("s3cret", "1700000000", b"{}") == f"sha256={expected}"


@pytest.fixture
def hook(owner, receiver):
    webhook, secret = services.webhook_create(
        actor=owner, url=receiver.url, events=["mention", "article.published"]
    )
    webhook.plain_secret = secret
    return webhook


def test_an_event_for_the_owner_is_posted_signed_to_their_webhook(
    publish, owner, other_user, hook, receiver
):
    publish("mention", actor=other_user, recipient_ids=[owner.pk], title="hey", url="/x/")
    [request] = receiver.requests
    assert verify(hook.plain_secret, request)
    body = receiver.json()
    delivery = WebhookDelivery.objects.get()
    assert request["headers"]["X-Nexus-Delivery"] == body["id"] == str(delivery.pk)
    assert request["headers"]["X-Nexus-Event"] == "mention"
    assert body["event"] == "mention"
    assert body["data"] == {"title": "hey", "url": "/x/"}, "routing keys stay private"
    assert body["actor"] == {"id": other_user.pk}
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 1, 200)


def test_events_the_webhook_did_not_pick_or_not_for_its_owner_are_not_posted(
    publish, owner, other_user, hook, receiver
):
    publish("feedback.replied", recipient_ids=[owner.pk], title="not picked")
    publish("mention", recipient_ids=[other_user.pk], title="someone else's")
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_inline_a_failed_delivery_is_logged_once_for_a_redeliver(publish, owner, hook, receiver):
    receiver.status = 500
    publish("mention", recipient_ids=[owner.pk], title="x")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 1, 500)
    assert delivery.error == "HTTP 500"


def test_retries_back_off_exponentially_up_to_a_cap(settings):
    settings.NEXUS_WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.NEXUS_WEBHOOK_RETRY_MAX_SECONDS = 600
    assert [backoff_seconds(n) for n in range(7)] == [30, 60, 120, 240, 480, 600, 600]


def test_a_webhook_failing_too_often_is_disabled_and_its_owner_told(
    publish, owner, hook, receiver, settings
):
    settings.NEXUS_WEBHOOK_MAX_ATTEMPTS = 1
    settings.NEXUS_WEBHOOK_MAX_CONSECUTIVE_FAILURES = 2
    receiver.status = 503
    publish("mention", recipient_ids=[owner.pk], title="a")
    hook.refresh_from_db()
    assert hook.is_active
    assert hook.consecutive_failures == 1
    publish("mention", recipient_ids=[owner.pk], title="b")
    hook.refresh_from_db()
    assert not hook.is_active
    assert hook.disabled_at is not None
    notice = Notification.objects.get(recipient=owner, event_name="webhook.disabled")
    assert receiver.url in notice.title
    publish("mention", recipient_ids=[owner.pk], title="c")
    assert len(receiver.requests) == 2, "a disabled webhook gets nothing"


def test_a_success_resets_the_failure_count(publish, owner, hook, receiver, settings):
    settings.NEXUS_WEBHOOK_MAX_ATTEMPTS = 1
    receiver.status = 500
    publish("mention", recipient_ids=[owner.pk], title="a")
    receiver.status = 200
    publish("mention", recipient_ids=[owner.pk], title="b")
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0


def test_redirects_are_not_followed(publish, owner, hook, receiver, settings):
    settings.NEXUS_WEBHOOK_MAX_ATTEMPTS = 1
    receiver.status = 302
    publish("mention", recipient_ids=[owner.pk], title="a")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_status) == ("failed", 302)
    assert len(receiver.requests) == 1


def test_a_url_that_became_unsafe_is_refused_at_delivery(publish, owner, hook, receiver, settings):
    settings.NEXUS_WEBHOOK_MAX_ATTEMPTS = 1
    settings.NEXUS_OUTBOUND_ALLOW_LOOPBACK = False
    publish("mention", recipient_ids=[owner.pk], title="a")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.error.startswith("Refused")
    assert receiver.requests == []


# --- REST ---------------------------------------------------------------------------------------
def test_creating_a_webhook_shows_its_secret_once(client_for, owner, receiver):
    client = client_for(owner)
    created = client.post(
        "/api/v1/webhooks/", {"url": receiver.url, "events": ["mention"]}, format="json"
    )
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["mention"]
    listed = client.get("/api/v1/webhooks/").json()["results"]
    assert [h["id"] for h in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in client.get(f"/api/v1/webhooks/{body['id']}/").json()


def test_rotating_the_secret_signs_with_the_new_one(publish, client_for, owner, hook, receiver):
    rotated = client_for(owner).post(f"/api/v1/webhooks/{hook.pk}/rotate-secret/").json()
    assert rotated["secret"] != hook.plain_secret
    publish("mention", recipient_ids=[owner.pk], title="x")
    assert verify(rotated["secret"], receiver.requests[0])
    assert not verify(hook.plain_secret, receiver.requests[0])


@pytest.mark.parametrize("url", UNSAFE_URLS)
def test_webhooks_to_private_or_odd_urls_are_refused(client_for, owner, url):
    response = client_for(owner).post(
        "/api/v1/webhooks/", {"url": url, "events": ["mention"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "url"
    assert not Webhook.objects.exists()


def urls_not_refused_for_the_url(owner, urls: list[str]) -> list[str]:
    not_refused = []
    for url in urls:
        try:
            services.webhook_create(actor=owner, url=url, events=["mention"])
        except ValidationError as exc:
            fields = set(exc.message_dict)
        else:
            fields = set()
        if fields != {"url"}:
            not_refused.append(url)
    return not_refused


def test_no_url_of_the_own_ssrf_corpus_can_be_registered(owner):
    urls = [url for _, url in hostile.ssrf_urls()]
    assert urls_not_refused_for_the_url(owner, urls) == []
    assert not Webhook.objects.exists()


def test_no_url_of_the_shared_ssrf_corpus_can_be_registered(owner):
    require(hostile.SHARED_SSRF)
    corpus = hostile.shared_ssrf_urls()
    assert len(corpus) >= 40
    assert urls_not_refused_for_the_url(owner, corpus) == []
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://example.com/h", "events": []}, "events"),
        ({"url": "https://example.com/h", "events": ["nope"]}, "events"),
        ({"url": "https://example.com/h"}, "events"),
        ({"url": "not a url", "events": ["mention"]}, "url"),
        ({"url": "https://example.com/h", "events": ["mention"], "secret": "mine"}, "secret"),
    ],
)
def test_bad_webhook_input_is_a_400(client_for, owner, body, field):
    response = client_for(owner).post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Webhook.objects.exists()


def test_updating_events_and_re_enabling(client_for, owner, hook):
    Webhook.objects.filter(pk=hook.pk).update(is_active=False, consecutive_failures=9)
    response = client_for(owner).patch(
        f"/api/v1/webhooks/{hook.pk}/", {"events": ["solution.accepted"], "is_active": True}
    )
    assert response.status_code == 200
    assert response.json()["events"] == ["solution.accepted"]
    assert response.json()["is_active"] is True
    assert response.json()["consecutive_failures"] == 0


@pytest.mark.parametrize("who", ["anonymous", "other_user", "mentor", "admin_user"])
def test_nobody_else_can_touch_a_webhook(request, api_client, client_for, hook, who):
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    expected = 401 if who == "anonymous" else 404
    base = f"/api/v1/webhooks/{hook.pk}/"
    assert client.get(base).status_code == expected
    assert client.patch(base, {"events": ["mention"]}).status_code == expected
    assert client.post(base + "rotate-secret/").status_code == expected
    assert client.get(base + "deliveries/").status_code == expected
    assert client.delete(base).status_code == expected
    hook.refresh_from_db()
    assert hook.events == ["article.published", "mention"]


def test_the_delivery_log_and_redeliver(
    publish, client_for, owner, hook, receiver, django_capture_on_commit_callbacks
):
    publish("mention", recipient_ids=[owner.pk], title="x")
    client = client_for(owner)
    [logged] = client.get(f"/api/v1/webhooks/{hook.pk}/deliveries/").json()["results"]
    assert (logged["status"], logged["response_status"], logged["event"]) == (
        "succeeded",
        200,
        "mention",
    )
    with django_capture_on_commit_callbacks(execute=True):
        redelivered = client.post(
            f"/api/v1/webhooks/{hook.pk}/deliveries/{logged['id']}/redeliver/"
        )
    assert redelivered.status_code == 202
    assert len(receiver.requests) == 2
    assert {r["headers"]["X-Nexus-Delivery"] for r in receiver.requests} == {logged["id"]}
    assert WebhookDelivery.objects.get().attempts == 2


def test_deleting_a_webhook(client_for, owner, hook):
    assert client_for(owner).delete(f"/api/v1/webhooks/{hook.pk}/").status_code == 204
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("count", [1, 20])
def test_listing_webhooks_and_deliveries_takes_the_same_queries(client_for, owner, count):
    hooks = [
        Webhook.objects.create(
            owner=owner, url=f"https://example.com/{i}", events=["mention"], secret="s"
        )
        for i in range(count)
    ]
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            webhook=hooks[0], event_id=f"00000000-0000-0000-0000-{i:012d}", event_name="mention"
        )
        for i in range(count)
    )
    client = client_for(owner)
    with CaptureQueriesContext(connection) as queries:
        assert len(client.get("/api/v1/webhooks/?page_size=50").json()["results"]) == count
    assert len(queries) <= 2  # the token's user, then the page
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/api/v1/webhooks/{hooks[0].pk}/deliveries/?page_size=50").json()
    assert len(page["results"]) == count
    assert len(queries) <= 3  # the token's user, the webhook, then the page


def test_the_delivery_body_is_json(publish, owner, hook, receiver):
    publish("article.published", recipient_ids=[owner.pk], title="T")
    assert json.loads(receiver.requests[0]["body"])["event"] == "article.published"


def test_a_receiver_that_never_answers_times_out(publish, owner, hook, receiver, settings):
    import threading

    settings.NEXUS_WEBHOOK_TIMEOUT = 0.5
    receiver.hold = threading.Event()
    publish("mention", recipient_ids=[owner.pk], title="slow")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.response_status is None
    assert delivery.error.endswith("did not answer in time.")
