"""Mentorship's background work."""

from celery import shared_task

from nexus.mentorship.services.reminders import milestone_reminders_send


@shared_task
def send_milestone_reminders() -> int:
    """Periodic (daily): due-soon and overdue milestone reminders, each sent once."""
    return milestone_reminders_send()
