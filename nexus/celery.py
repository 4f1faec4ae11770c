"""The Celery app: RabbitMQ broker and Redis results in production, inline in embedded mode."""

import os

from celery import Celery, Task
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")


class NexusTask(Task):
    """Every task of the project."""

    # A retry that names no countdown (the one after a lost pool process included) comes back
    # after 10 s, not Celery's 3 minutes; Celery has no setting for this.
    default_retry_delay = 10
    runs_long = False


class LongRunningTask(NexusTask):
    """A task that may outlast a request: where tasks run inline (embedded mode, no broker), it
    runs on the web process's background thread instead (nexus.core.background)."""

    runs_long = True


app = Celery("nexus", task_cls=NexusTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Synced into django-celery-beat's tables at start, where admins can edit them.
app.conf.beat_schedule = {
    "sweep-pending-events": {"task": "nexus.core.tasks.sweep_pending_events", "schedule": 60.0},
    "nightly-backup": {"task": "nexus.core.tasks.back_up", "schedule": crontab(hour=2, minute=30)},
    "daily-digest": {
        "task": "nexus.notifications.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0),
        "args": ["daily"],
    },
    "weekly-digest": {
        "task": "nexus.notifications.tasks.send_digests",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
        "args": ["weekly"],
    },
    "delete-old-read-notifications": {
        "task": "nexus.notifications.tasks.delete_old_read_notifications",
        "schedule": crontab(hour=3, minute=15),
    },
    "monthly-reflection-reminder": {
        "task": "nexus.notifications.tasks.remind_learners_to_reflect",
        "schedule": crontab(hour=8, minute=0, day_of_month="1"),
    },
    "milestone-reminders": {
        "task": "nexus.mentorship.tasks.send_milestone_reminders",
        "schedule": crontab(hour=8, minute=15),
    },
    "search-sync": {"task": "nexus.search.tasks.sync_search_index", "schedule": 60.0},
    "advance-payouts": {"task": "nexus.payments.tasks.advance_payouts", "schedule": 60.0},
    "reconcile-payments": {"task": "nexus.payments.tasks.reconcile_payments", "schedule": 300.0},
    "expire-bounties": {
        "task": "nexus.funding.tasks.expire_due_bounties",
        "schedule": crontab(minute=5),
    },
    "resume-interrupted-imports": {
        "task": "nexus.importer.tasks.resume_interrupted_imports",
        "schedule": 300.0,
    },
    "delete-expired-signups": {
        "task": "nexus.accounts.tasks.delete_expired_signups",
        "schedule": crontab(hour=3, minute=30),
    },
    "delete-expired-refresh-tokens": {
        "task": "nexus.accounts.tasks.delete_expired_refresh_tokens",
        "schedule": crontab(hour=3, minute=45),
    },
}
