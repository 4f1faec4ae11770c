"""Dead letters: tasks the workers gave up on, kept in the database for the admin.

Every task has a bounded number of tries: its `max_retries` counts retries after an exception and,
with `task_retry_on_worker_lost`, after its pool process died mid-task. When Celery gives up it
sends `task_failure`, and the task lands here instead of vanishing from the queue; an administrator
reads the error, fixes the cause and sends it again from the admin (tasks are idempotent).
"""

import json
import logging
from typing import Any

from celery import Task
from celery.signals import task_failure
from django.db import close_old_connections, connection
from django.db.models import QuerySet

from nexus.core import clock, taskqueue
from nexus.core.models import DeadLetter

logger = logging.getLogger(__name__)

ERROR_MAX_LENGTH = DeadLetter._meta.get_field("error").max_length or 1000
TRACEBACK_MAX_LENGTH = 20_000


def _plain(value: Any) -> Any:
    """The arguments as JSON, whatever they are (Celery's JSON serializer let them through)."""
    return json.loads(json.dumps(value, default=repr))


def dead_letter_record(
    *, task: Task, task_id: str, error: BaseException, args: Any, kwargs: Any, traceback: str
) -> DeadLetter:
    """Keep a task the workers gave up on."""
    request = task.request
    return DeadLetter.objects.create(
        task_id=task_id,
        task_name=task.name,
        args=_plain(list(args or ())),
        kwargs=_plain(dict(kwargs or {})),
        tries=(request.retries or 0) + 1,
        error=f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH],
        traceback=traceback[-TRACEBACK_MAX_LENGTH:],
        worker=request.hostname or "",
    )


def dead_letters_requeue(dead_letters: QuerySet[DeadLetter]) -> int:
    """Send dead letters again, as new tasks with their original arguments; returns how many."""
    sent = 0
    for letter in dead_letters.filter(requeued_at=None):
        # Kept for the sweep, like any task, if the broker refuses it now.
        taskqueue.enqueue_or_defer(letter.task_name, tuple(letter.args), letter.kwargs)
        DeadLetter.objects.filter(pk=letter.pk).update(requeued_at=clock.now())
        sent += 1
    return sent


@task_failure.connect(dispatch_uid="nexus.core.deadletters")
def _on_task_failure(
    sender: Task,
    task_id: str,
    exception: BaseException,
    args: Any,
    kwargs: Any,
    einfo: Any = None,
    **_: Any,
) -> None:
    if sender.request.is_eager:
        return  # inline (tests, embedded mode): the caller sees the exception itself
    logger.error("Task %s[%s] dead-lettered: %r", sender.name, task_id, exception)
    # A lost pool process is reported from the worker's main process, whose connection may have
    # broken or gone stale since it last used the database; a transaction owns its connection.
    if not connection.in_atomic_block:
        close_old_connections()
    try:
        dead_letter_record(
            task=sender,
            task_id=task_id,
            error=exception,
            args=args,
            kwargs=kwargs,
            traceback=str(einfo.traceback) if einfo is not None else "",
        )
    except Exception:  # the database is what failed: the log line above is all there is
        logger.exception("Could not keep the dead letter of %s[%s]", sender.name, task_id)
