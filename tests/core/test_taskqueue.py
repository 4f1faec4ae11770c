"""Tasks enqueued by name run as `.delay()` would: inline when eager, after commit when asked."""

import pytest
from celery import shared_task
from celery.exceptions import NotRegistered
from django.db import transaction
from kombu.exceptions import OperationalError

from nexus.core import taskqueue

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
