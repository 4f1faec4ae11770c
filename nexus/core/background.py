"""Embedded mode's worker: one thread of the web process running long tasks one after another.

Embedded mode has no broker, so tasks run inline, in the request that enqueues them. A task that
takes longer than a request should (an import of many files) runs here instead: the request
answers at once and the page shows the task's progress. The queue is in memory: tasks not yet
run are lost when the process stops (production hands every task to workers through RabbitMQ).
"""

import logging
import queue
import threading
from typing import Any

from celery import Task
from django.db import connections

logger = logging.getLogger(__name__)

_tasks: queue.Queue[tuple[Task, tuple[Any, ...], dict[str, Any]]] = queue.Queue()
_worker: threading.Thread | None = None
_worker_lock = threading.Lock()


def submit(task: Task, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Queue a task for the background thread, starting the thread on first use."""
    global _worker
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="nexus-background-tasks", daemon=True)
            _worker.start()
    _tasks.put((task, args, kwargs))


def wait_until_idle() -> None:
    """Block until every submitted task has run (tests and a clean shutdown use it)."""
    _tasks.join()


def _work() -> None:
    while True:
        task, args, kwargs = _tasks.get()
        try:
            task.apply(args, kwargs, throw=True)
        except Exception:  # the task failed: it is logged, and the thread goes on with the next
            logger.exception("Background task %s failed", task.name)
        finally:
            # This thread's own database connections: nothing else would ever close them.
            connections.close_all()
            _tasks.task_done()
