"""Delivery against real RabbitMQ and PostgreSQL, with real Celery worker processes.

Skipped unless NEXUS_TEST_BROKER_URL is set and the tests run on PostgreSQL (CI sets both). Each
test run has its own queue, so workers of other checkouts on this machine never take its tasks.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from nexus.celery import app as celery_app
from nexus.core import events
from nexus.core.models import OutboxEvent
from nexus.core.tasks import sweep_pending_events
from nexus.notifications import services
from nexus.notifications.models import Notification, WebhookDelivery
from tests.notifications.test_webhooks import verify
from tests.on_suite_clock import subprocess_environment

BROKER_URL = os.environ.get("NEXUS_TEST_BROKER_URL", "")
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "broker"

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not BROKER_URL, reason="NEXUS_TEST_BROKER_URL is not set"),
]


def wait_until(predicate, timeout=90.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"Timed out waiting for {what}")


def rabbitmqctl(*args):
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


def drop_broker_connections():
    celery_app.close()
    celery_app.amqp._producer_pool = None


def send_to_a_queue_of_our_own(monkeypatch) -> str:
    """Celery publishes to the test broker, on a queue no other test's or checkout's worker takes
    (skipped without a broker); returns the queue, for `delete_queue` when the test is done."""
    if not BROKER_URL:
        pytest.skip("NEXUS_TEST_BROKER_URL is not set")
    queue = f"nexus-test-{uuid.uuid4().hex[:10]}"
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", BROKER_URL)
    monkeypatch.setitem(celery_app.conf, "task_default_queue", queue)
    drop_broker_connections()
    return queue


def delete_queue(queue: str) -> None:
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)
    drop_broker_connections()


class Worker:
    """A `celery worker` subprocess on this test's queue and this test's database."""

    def __init__(self, queue, name, extra_env, options=()):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.log = ARTIFACTS / f"{queue}-{name}.log"
        settings = connection.settings_dict
        database_url = (
            f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST'] or '127.0.0.1'}"
            f":{settings['PORT'] or 5432}/{settings['NAME']}"
        )
        env = {
            **subprocess_environment(),
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "False",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "NEXUS_OUTBOUND_ALLOW_LOOPBACK": "True",
            "EMAIL_URL": "consolemail://",
            **extra_env,
        }
        command = [
            sys.executable, "-m", "tests.on_suite_clock", "celery", "-A", "nexus", "worker", "--pool=solo",
            "--queues", queue, "--hostname", f"{name}@{queue}", "--loglevel=INFO",
            # Heartbeats stay on: without them the solo pool's loop wakes every 10 s, so a stop
            # request waits that long.
            "--without-gossip", "--without-mingle",
            *options,  # later options win, e.g. --pool=prefork
        ]  # fmt: skip
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_until(lambda: " ready." in self.log.read_text(), what=f"worker {name} to start")

    def kill(self):
        """SIGKILL, as the OOM killer or a lost node would: no chance to ack or clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def broker(transactional_db, monkeypatch, settings):
    """Publish to RabbitMQ on a queue of our own; yields a function that starts workers."""
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need the test database on PostgreSQL")
    queue = send_to_a_queue_of_our_own(monkeypatch)
    settings.NEXUS_OUTBOUND_ALLOW_LOOPBACK = True
    workers = []

    def start(name="w1", **extra_env):
        worker = Worker(queue, name, extra_env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
    delete_queue(queue)


def publish_mention(recipient, title):
    with transaction.atomic():
        return events.publish("mention", payload={"title": title, "recipient_ids": [recipient.pk]})


def test_a_notification_written_while_the_broker_is_down_arrives_once_it_is_back(broker, owner):
    rabbitmqctl("stop_app")
    try:
        drop_broker_connections()
        event = publish_mention(owner, "written during the outage")
        assert OutboxEvent.objects.filter(pk=event.pk).exists(), "the write itself succeeded"
        event.refresh_from_db()
        assert event.handed_over_at is None
    finally:
        rabbitmqctl("start_app")
        rabbitmqctl("await_startup")
    drop_broker_connections()
    broker()
    assert not Notification.objects.exists()
    # Past the sweep's grace period, the periodic sweep (run here by the worker) hands it over.
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    sweep_pending_events.delay()
    wait_until(lambda: Notification.objects.filter(recipient=owner).exists(), what="notification")
    time.sleep(1)
    assert Notification.objects.get(recipient=owner).title.endswith("written during the outage")
    event.refresh_from_db()
    assert event.handed_over_at is not None


def test_a_worker_killed_mid_delivery_leaves_exactly_one_delivery(broker, owner, receiver):
    webhook, secret = services.webhook_create(actor=owner, url=receiver.url, events=["mention"])
    receiver.hold = threading.Event()  # the receiver keeps the first POST open: mid-task
    first = broker("w1")
    publish_mention(owner, "killed mid-task")
    wait_until(lambda: len(receiver.requests) == 1, what="the first POST")
    first.kill()
    held, receiver.hold = receiver.hold, None
    held.set()

    second = broker("w2")  # the unacked task goes back to the queue and the new worker runs it
    wait_until(
        lambda: WebhookDelivery.objects.filter(status="succeeded").exists(), what="the redelivery"
    )
    time.sleep(1)
    assert Notification.objects.filter(recipient=owner).count() == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.webhook == webhook
    ids = {r["headers"]["X-Nexus-Delivery"] for r in receiver.requests}
    assert ids == {str(delivery.pk)}, "every POST carries the one idempotency key"
    assert len(receiver.requests) == 2, "the killed attempt and its redelivery"
    assert all(verify(secret, request) for request in receiver.requests)
    # The instant e-mail task was redelivered too (its ack died with the worker): still one e-mail.
    logs = "".join(worker_log.read_text() for worker_log in (first.log, second.log))
    assert logs.count("Subject: [Nexus] Mentions of you: killed mid-task") == 1


def test_a_worker_retries_a_failing_receiver_with_backoff(broker, owner, receiver):
    webhook, secret = services.webhook_create(actor=owner, url=receiver.url, events=["mention"])
    receiver.status = 500
    broker("w1", NEXUS_WEBHOOK_RETRY_BASE_SECONDS="1")
    publish_mention(owner, "flaky receiver")
    wait_until(lambda: len(receiver.requests) >= 1, what="the first POST")
    receiver.status = 200
    wait_until(
        lambda: WebhookDelivery.objects.filter(status="succeeded").exists(), what="the retry"
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 2
    assert delivery.response_status == 200
    assert verify(secret, receiver.requests[-1])
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 0
