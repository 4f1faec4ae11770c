"""Handing work to Celery tasks by their registered name.

A service that imported its app's tasks module would form a cycle (tasks call services), so
services enqueue by name instead. Task names are a contract with running workers: renaming a task
(moving it, or renaming its function) breaks messages already queued and every `enqueue` of it.
"""

from typing import Any

from celery import current_app
from django.db import transaction


def enqueue(name: str, *args: Any, **kwargs: Any) -> None:
    """Send the task registered as `name`; it runs inline when tasks run eagerly."""
    # The registered task's own apply_async, as `.delay()` would: it honours task_always_eager
    # and the task's options, where send_task does neither; an unknown name raises NotRegistered.
    current_app.tasks[name].apply_async(args, kwargs)


def enqueue_on_commit(name: str, *args: Any, **kwargs: Any) -> None:
    """Enqueue the task once the current transaction commits, so it never sees uncommitted rows."""
    transaction.on_commit(lambda: enqueue(name, *args, **kwargs))
