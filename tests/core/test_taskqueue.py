"""Tasks enqueued by name run as `.delay()` would: inline when eager, after commit when asked;
a task the broker refuses after a commit waits in the outbox for the sweep."""

from datetime import timedelta

import pytest
from celery import shared_task
from celery.exceptions import NotRegistered
from django.db import transaction
from kombu.exceptions import OperationalError

from nexus.core import clock, taskqueue
from nexus.core.models import DeferredTask, OutboxEvent

RECORD = "tests.core.test_taskqueue.record"
received: list[tuple[int, str]] = []


@shared_task(name=RECORD)
def record(number: int, *, note: str = "") -> None:
    received.append((number, note))


@pytest.fixture(autouse=True)
def nothing_received():
    received.clear()


def test_a_task_enqueued_by_name_runs_inline_when_tasks_run_eagerly():
    taskqueue.enqueue(RECORD, 1, note="now")
    assert received == [(1, "now")]


@pytest.mark.django_db
def test_a_task_enqueued_on_commit_runs_only_once_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        taskqueue.enqueue_on_commit(RECORD, 2)
        assert received == []
    assert received == [(2, "")]


@pytest.mark.django_db
def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(
    django_capture_on_commit_callbacks,
):
    def failing_write():
        with transaction.atomic():
            taskqueue.enqueue_on_commit(RECORD, 3)
            raise RuntimeError("the write failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failing_write()
    assert received == []


def test_an_unknown_task_name_is_refused():
    with pytest.raises(NotRegistered):
        taskqueue.enqueue("nexus.nowhere.tasks.nothing")


def test_without_eager_mode_the_task_goes_to_the_broker(celery_broker):
    celery_broker("amqp://guest:guest@127.0.0.1:1//")
    with pytest.raises(OperationalError):
        taskqueue.enqueue(RECORD, 4)
    assert received == []


@pytest.mark.django_db
def test_a_task_the_broker_refuses_after_a_commit_waits_in_the_outbox(
    celery_broker, django_capture_on_commit_callbacks
):
    celery_broker("amqp://guest:guest@127.0.0.1:1//")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        taskqueue.enqueue_on_commit(RECORD, 5, note="later")
    deferred = DeferredTask.objects.get()
    assert (deferred.name, deferred.args, deferred.kwargs) == (RECORD, [5], {"note": "later"})
    assert received == []


@pytest.mark.django_db
def test_the_sweep_hands_deferred_tasks_over_once_past_the_grace_period():
    due = DeferredTask.objects.create(name=RECORD, args=[6], kwargs={"note": "swept"})
    fresh = DeferredTask.objects.create(name=RECORD, args=[7], kwargs={})
    DeferredTask.objects.filter(pk=due.pk).update(
        created_at=clock.now() - taskqueue.SWEEP_GRACE - timedelta(seconds=1)
    )
    assert taskqueue.sweep_deferred_tasks() == 1
    assert received == [(6, "swept")]
    assert list(DeferredTask.objects.values_list("pk", flat=True)) == [fresh.pk]


@pytest.mark.django_db
def test_a_deferred_task_stays_while_the_broker_is_still_down(celery_broker):
    celery_broker("amqp://guest:guest@127.0.0.1:1//")
    task = DeferredTask.objects.create(name=RECORD, args=[8], kwargs={})
    DeferredTask.objects.filter(pk=task.pk).update(created_at=clock.now() - timedelta(minutes=5))
    assert taskqueue.sweep_deferred_tasks() == 0
    task.refresh_from_db()
    assert task.hand_over_attempts == 1
    assert received == []


@pytest.mark.django_db
def test_publishing_an_article_while_the_broker_is_down_succeeds_and_loses_no_work(
    celery_broker, django_capture_on_commit_callbacks, client_for, owner
):
    celery_broker("amqp://guest:guest@127.0.0.1:1//")
    article = {"title": "Written in an outage", "body": "Text.", "status": "published"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post("/api/v1/articles/", article, format="json")
    assert response.status_code == 201
    # The event waits in the outbox, the link refresh among the deferred tasks: both swept later.
    event = OutboxEvent.objects.get(name="article.published")
    assert event.handed_over_at is None
    assert DeferredTask.objects.get().name == "nexus.knowledge.tasks.refresh_links_to_article"
