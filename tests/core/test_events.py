from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from nexus.celery import app as celery_app
from nexus.core import events
from nexus.core.models import OutboxEvent
from nexus.core.tasks import run_subscriber_batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(monkeypatch):
    """A subscriber to 'thing.happened' that records what reached it."""
    seen = []
    monkeypatch.setattr(events, "_subscribers", events.defaultdict(dict))
    events.subscriber("thing.happened")(seen.append)
    return seen


def test_a_published_event_reaches_its_subscribers_after_commit(
    received, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = events.publish("thing.happened", subject=owner, actor=owner, payload={"n": 1})
        assert received == []
    assert [e.pk for e in received] == [event.pk]
    event.refresh_from_db()
    assert event.handed_over_at is not None
    assert (event.subject_type, event.subject_id) == ("accounts.user", str(owner.pk))


def test_an_event_of_a_rolled_back_transaction_is_never_delivered(
    received, django_capture_on_commit_callbacks
):
    def failing_write():
        with transaction.atomic():
            events.publish("thing.happened")
            raise RuntimeError("the write failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failing_write()
    assert received == []
    assert not OutboxEvent.objects.exists()


def test_other_events_do_not_reach_the_subscriber(received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("other.thing")
    assert received == []
    assert OutboxEvent.objects.get().handed_over_at is not None


def test_with_the_broker_down_the_write_succeeds_and_the_sweep_delivers_later(
    received, monkeypatch, celery_broker, django_capture_on_commit_callbacks
):
    celery_broker("amqp://guest:guest@127.0.0.1:1//")
    with django_capture_on_commit_callbacks(execute=True):
        event = events.publish("thing.happened")
    event.refresh_from_db()
    assert event.handed_over_at is None
    assert event.hand_over_attempts == 1
    assert received == []

    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    assert events.sweep_pending_events() == 0, "too fresh: the commit hook may still be running"
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert events.sweep_pending_events() == 1
    assert [e.pk for e in received] == [event.pk]
    assert events.sweep_pending_events() == 0


def test_a_failing_subscriber_leaves_the_event_pending_for_the_sweep(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(events, "_subscribers", events.defaultdict(dict))
    calls = []

    @events.subscriber("thing.happened")
    def flaky(event):
        calls.append(event.pk)
        if len(calls) == 1:
            raise ConnectionError("the mail server is down")

    monkeypatch.setattr("nexus.core.tasks.run_subscriber.max_retries", 0)
    with django_capture_on_commit_callbacks(execute=True):
        event = events.publish("thing.happened")
    event.refresh_from_db()
    assert event.handed_over_at is None
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert events.sweep_pending_events() == 1
    assert calls == [event.pk, event.pk]


def test_the_sweep_is_scheduled_with_beat():
    schedule = celery_app.conf.beat_schedule["sweep-pending-events"]
    assert schedule["task"] == "nexus.core.tasks.sweep_pending_events"
    assert schedule["task"] in celery_app.tasks


@pytest.fixture
def batches(monkeypatch):
    """A batch subscriber to 'thing.happened' that records each call's events."""
    calls = []
    monkeypatch.setattr(events, "_subscribers", events.defaultdict(dict))
    events.batch_subscriber("thing.happened")(lambda batch: calls.append([e.pk for e in batch]))
    return calls


def test_events_committed_in_a_batch_reach_a_batch_subscriber_together_in_order(
    batches, django_capture_on_commit_callbacks
):
    # The test runs in one transaction: the capture stands for the commits, inside the batch.
    with events.batched():
        with django_capture_on_commit_callbacks(execute=True):
            published = []
            for n in range(5):
                with transaction.atomic():
                    published.append(events.publish("thing.happened", payload={"n": n}).pk)
        assert batches == [], "held back until the batch ends"
    assert batches == [published]
    assert not OutboxEvent.objects.filter(handed_over_at=None).exists()


def test_outside_a_batch_each_event_is_handed_over_at_its_commit(
    batches, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = events.publish("thing.happened").pk
    with django_capture_on_commit_callbacks(execute=True):
        second = events.publish("thing.happened").pk
    assert batches == [[first], [second]]


def test_a_nested_batch_joins_the_outer_one_and_rolled_back_events_never_arrive(
    batches, django_capture_on_commit_callbacks
):
    with events.batched(), django_capture_on_commit_callbacks(execute=True):
        with events.batched(), transaction.atomic():
            kept = events.publish("thing.happened").pk
        try:
            with transaction.atomic():
                events.publish("thing.happened")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        with transaction.atomic():
            many = [
                e.pk for e in events.publish_many("thing.happened", [events.Announcement()] * 3)
            ]
    assert batches == [[kept, *many]]


def test_one_event_subscribers_get_every_event_of_a_batch(
    received, django_capture_on_commit_callbacks
):
    with (
        events.batched(),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        published = [
            e.pk for e in events.publish_many("thing.happened", [events.Announcement()] * 4)
        ]
    assert [e.pk for e in received] == published


def test_a_batch_hands_over_in_bounded_tasks(
    batches, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(events, "HAND_OVER_CHUNK", 3)
    with (
        events.batched(),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        events.publish_many("thing.happened", [events.Announcement()] * 7)
    assert [len(call) for call in batches] == [3, 3, 1]


@pytest.mark.parametrize("count", [2, 40])
def test_a_batch_task_builds_each_actor_once_whatever_the_number_of_events(
    count, owner, other_user, monkeypatch, django_assert_num_queries
):
    seen = []
    monkeypatch.setattr(events, "_subscribers", events.defaultdict(dict))
    events.batch_subscriber("thing.happened")(seen.extend)
    actors = [owner if n % 2 else other_user for n in range(count)]
    published = events.publish_many(
        "thing.happened", [events.Announcement(actor=actor) for actor in actors]
    )
    (key,) = events.subscribers_for("thing.happened")
    with django_assert_num_queries(2):
        delivered = run_subscriber_batch([str(e.pk) for e in published], key)
    assert delivered == count
    assert [e.pk for e in seen] == [e.pk for e in published]
    assert [e.actor for e in seen] == actors
    assert len({id(e.actor) for e in seen}) == 2, "one object per actor, shared by its events"
