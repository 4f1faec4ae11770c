"""Due-soon and overdue milestone reminders, each sent at most once per learner, milestone and kind.

A milestone is due at the end of the programme month it belongs to, counted from the cohort's
start date: month 1 of a cohort starting on 15 March ends on 14 April (docs/mentorship.md).
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse

from nexus.core import clock, events
from nexus.journal import selectors as journal_selectors
from nexus.journal.models import Cohort, MilestoneProgress, MilestoneStatus
from nexus.mentorship.models import MilestoneReminder, ReminderKind

DUE_SOON_DAYS = 7
# Waiting for a review is not late: only work still with the learner is reminded of.
OPEN_STATUSES = (MilestoneStatus.NOT_STARTED, MilestoneStatus.IN_PROGRESS)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when shorter (31 Jan + 1: 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def milestone_due_date(*, cohort_start: date, month_number: int) -> date:
    """The last day of programme month `month_number` for a cohort starting on `cohort_start`."""
    return add_months(cohort_start, month_number) - timedelta(days=1)


def reminder_kind(*, due_on: date, today: date) -> str | None:
    if due_on < today:
        return ReminderKind.OVERDUE
    if due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return ReminderKind.DUE_SOON
    return None


@dataclass(frozen=True)
class Reminder:
    progress: MilestoneProgress
    kind: str
    due_on: date


def _reminders_for(cohort: Cohort, today: date) -> list[Reminder]:
    rows = MilestoneProgress.objects.filter(
        learner_id__in=journal_selectors.cohort_learner_ids(cohort=cohort),
        milestone__program_id=cohort.program_id,
        status__in=OPEN_STATUSES,
    ).select_related("learner", "milestone__month")
    found = []
    for progress in rows:
        due_on = milestone_due_date(
            cohort_start=cohort.start_date, month_number=progress.milestone.month.number
        )
        kind = reminder_kind(due_on=due_on, today=today)
        if kind is not None:
            found.append(Reminder(progress, kind, due_on))
    return found


def _send(reminder: Reminder) -> bool:
    progress = reminder.progress
    with transaction.atomic():
        _, created = MilestoneReminder.objects.get_or_create(
            learner_id=progress.learner_id,
            milestone_id=progress.milestone_id,
            kind=reminder.kind,
            defaults={"due_on": reminder.due_on},
        )
        if not created:
            return False
        mentors = journal_selectors.mentors_of(learner=progress.learner)
        overdue = reminder.kind == ReminderKind.OVERDUE
        events.publish(
            "milestone.overdue" if overdue else "milestone.due",
            subject=progress,
            payload={
                "recipient_ids": [progress.learner_id, *mentors.values_list("pk", flat=True)],
                "title": f"{progress.milestone} of {progress.learner.display_name} "
                f"{'was due' if overdue else 'is due'} on {reminder.due_on:%Y-%m-%d}",
                "url": reverse("journal:milestones"),
                "kind": reminder.kind,
                "due_on": reminder.due_on.isoformat(),
            },
        )
    return True


def milestone_reminders_send() -> int:
    """Remind learners and their mentors of milestones due soon or overdue; returns how many were
    sent (a reminder already sent for a learner, milestone and kind is never sent again)."""
    today = clock.today()
    sent = 0
    for cohort in journal_selectors.cohort_list():
        for reminder in _reminders_for(cohort, today):
            sent += _send(reminder)
    return sent
