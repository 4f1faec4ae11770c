"""A task the workers give up on becomes a dead letter: stored, listed in the admin, sent again
from there. Every task's tries are bounded, whether it raises or kills its process.

The tests that run a real worker need RabbitMQ and PostgreSQL (NEXUS_TEST_BROKER_URL), like
tests/notifications/test_broker_delivery.py; the others run anywhere.
"""

import pytest
from celery import current_app
from celery.signals import task_failure
from django.db import connection

from nexus.core.models import DeadLetter
from tests import figures
from tests.core import poison_tasks
from tests.notifications.test_broker_delivery import (
    Worker,
    delete_queue,
    send_to_a_queue_of_our_own,
    wait_until,
)

CHANGELIST = "/admin/core/deadletter/"


def give_up_on(task, *, task_id="t-1", args=(), kwargs=None, retries=2):
    """What a worker does when it gives up on a task: Celery's task_failure, outside eager mode."""
    task.push_request(id=task_id, retries=retries, hostname="w1@host", is_eager=False)
    try:
        task_failure.send(
            sender=task,
            task_id=task_id,
            exception=ValueError("poison"),
            args=args,
            kwargs=kwargs or {},
            traceback=None,
            einfo=None,
        )
    finally:
        task.pop_request()


@pytest.mark.django_db
def test_a_task_given_up_on_is_kept_as_a_dead_letter():
    give_up_on(poison_tasks.always_raises, args=["/tmp/x"], kwargs={"note": "n"}, retries=2)
    letter = DeadLetter.objects.get()
    assert letter.task_name == "tests.core.poison_tasks.always_raises"
    assert (letter.task_id, letter.args, letter.kwargs) == ("t-1", ["/tmp/x"], {"note": "n"})
    assert letter.tries == 3
    assert letter.error == "ValueError: poison"
    assert letter.worker == "w1@host"


@pytest.mark.django_db
def test_a_task_failing_inline_is_the_callers_error_not_a_dead_letter():
    with pytest.raises(Exception, match="poison"):
        poison_tasks.always_raises.delay("/dev/null")
    assert not DeadLetter.objects.exists()


@pytest.mark.django_db
def test_dead_letters_are_listed_in_the_admin_and_can_be_sent_again(client, admin_user, owner):
    give_up_on(current_app.tasks["nexus.core.tasks.sweep_pending_events"], task_id="sweep-1")
    letter = DeadLetter.objects.get()

    client.force_login(owner)
    assert client.get(CHANGELIST).status_code == 302  # not staff: to the admin login

    client.force_login(admin_user)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert "nexus.core.tasks.sweep_pending_events" in page.content.decode()
    assert client.get(f"{CHANGELIST}{letter.pk}/change/").status_code == 200
    assert client.get(f"{CHANGELIST}add/").status_code == 403

    response = client.post(
        CHANGELIST, {"action": "send_again", "_selected_action": [letter.pk]}, follow=True
    )
    assert "1 task(s) sent again." in response.content.decode()
    letter.refresh_from_db()
    assert letter.requeued_at is not None


def test_every_task_has_a_bounded_number_of_tries():
    unbounded = sorted(
        name
        for name, task in current_app.tasks.items()
        if name.startswith("nexus.") and task.max_retries is None
    )
    assert unbounded == [], "give these tasks a max_retries: they could be tried forever"


def test_a_retry_without_a_countdown_comes_back_in_seconds():
    # Such as the retry after a lost pool process; Celery's own default is 3 minutes.
    assert current_app.tasks["nexus.notifications.tasks.deliver_webhook"].default_retry_delay == 10


# --- A real worker on RabbitMQ ---------------------------------------------------------------------


@pytest.fixture
def poison_worker(transactional_db, monkeypatch, tmp_path):
    """A prefork worker (one pool process) on a queue of this test's own, with the poison tasks."""
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need the test database on PostgreSQL")
    queue = send_to_a_queue_of_our_own(monkeypatch)
    worker = Worker(
        queue,
        "poison",
        {},
        options=("--pool=prefork", "--concurrency=1", "--include=tests.core.poison_tasks"),
    )
    yield tmp_path / "tries"
    worker.stop()
    delete_queue(queue)


@pytest.mark.services
def test_poison_tasks_stop_after_their_tries_and_land_in_the_admin(
    poison_worker, client, admin_user
):
    # One worker for both (starting one costs seconds): one task raises, the other kills the
    # pool process running it, as the out-of-memory killer would.
    client.force_login(admin_user)
    tasks = [poison_tasks.always_raises, poison_tasks.always_kills_its_process]
    sent = {task: task.delay(str(poison_worker.with_name(task.name))) for task in tasks}
    for task, result in sent.items():
        wait_until(
            lambda: DeadLetter.objects.filter(task_id=result.id).exists(),  # noqa: B023
            what=f"dead letter of {task.name}",
        )
        letter = DeadLetter.objects.get(task_id=result.id)
        tries = poison_tasks.TRIES + 1
        assert poison_worker.with_name(task.name).read_text().count("try") == tries
        assert letter.tries == tries
        figures.report(
            f"poison task {task.name}: {tries} tries, then dead-lettered: {letter.error}"
        )

        page = client.get(CHANGELIST, {"q": result.id})
        assert page.status_code == 200
        assert task.name in page.content.decode()
