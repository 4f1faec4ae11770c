"""The Celery app: RabbitMQ broker and Redis results in production, inline in embedded mode."""

import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")


class NexusTask(Task):
    """Every task of the project."""

    # A retry that names no countdown (the one after a lost pool process included) comes back
    # after 10 s, not Celery's 3 minutes; Celery has no setting for this.
    default_retry_delay = 10


app = Celery("nexus", task_cls=NexusTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
