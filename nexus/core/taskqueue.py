"""Handing work to Celery tasks by their registered name.

A service that imported its app's tasks module would form a cycle (tasks call services), so
services enqueue by name instead. Task names are a contract with running workers: renaming a task
(moving it, or renaming its function) breaks messages already queued and every `enqueue` of it.
"""

import logging
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction

from nexus.core import background, clock
from nexus.core.models import DeferredTask

logger = logging.getLogger(__name__)

SWEEP_GRACE = timedelta(seconds=30)
SWEEP_BATCH = 500


def long_tasks_run_in_process() -> bool:
    """True where long tasks run on this process's background thread (embedded mode)."""
    return bool(current_app.conf.task_always_eager and settings.NEXUS_LONG_TASKS_IN_BACKGROUND)


def enqueue(name: str, *args: Any, **kwargs: Any) -> None:
    """Send the task registered as `name`; it runs inline when tasks run eagerly, except a long
    one (`runs_long`), which then runs on the process's background thread."""
    task = current_app.tasks[name]
    if getattr(task, "runs_long", False) and long_tasks_run_in_process():
        background.submit(task, args, kwargs)
        return
    # The registered task's own apply_async, as `.delay()` would: it honours task_always_eager
    # and the task's options, where send_task does neither; an unknown name raises NotRegistered.
    task.apply_async(args, kwargs)


def enqueue_on_commit(name: str, *args: Any, **kwargs: Any) -> None:
    """Enqueue the task once the current transaction commits, so it never sees uncommitted rows."""
    transaction.on_commit(lambda: enqueue_or_defer(name, args, kwargs))


def enqueue_or_defer(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Enqueue a task for a committed write; if the broker refuses, keep it for the sweep.

    The write is done: failing the request now would report an error for a change that was made
    and lose the work it asked for.
    """
    if current_app.conf.task_always_eager:
        enqueue(name, *args, **kwargs)  # inline: a failure is the task's own, for the caller
        return
    try:
        enqueue(name, *args, **kwargs)
    except Exception:  # the broker is down or refused: any failure to hand over is kept
        logger.warning("Task %s deferred: the broker did not take it", name, exc_info=True)
        DeferredTask.objects.create(name=name, args=list(args), kwargs=kwargs)


def sweep_deferred_tasks() -> int:
    """Hand over tasks the broker refused, once they are past a grace period; returns how many."""
    cutoff = clock.now() - SWEEP_GRACE
    handed = 0
    with transaction.atomic():
        # Locked and skipped, so two sweeps never hand the same task over twice.
        due = list(
            DeferredTask.objects.select_for_update(skip_locked=True)
            .filter(created_at__lt=cutoff)
            .order_by("created_at")[:SWEEP_BATCH]
        )
        for task in due:
            try:
                enqueue(task.name, *task.args, **task.kwargs)
            except Exception:  # still no broker: the next sweep tries again
                logger.warning("Deferred task %s not handed over yet", task.name, exc_info=True)
                DeferredTask.objects.filter(pk=task.pk).update(
                    hand_over_attempts=task.hand_over_attempts + 1
                )
                break
            task.delete()
            handed += 1
    return handed
