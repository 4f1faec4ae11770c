"""Due-soon and overdue reminders: a milestone is due at the end of its programme month counted
from the cohort's start; each reminder goes to the learner and their mentors once."""

from datetime import date, timedelta

import pytest
import time_machine

from nexus.core import clock
from nexus.core.models import OutboxEvent
from nexus.journal import services as journal_services
from nexus.journal.models import MilestoneProgress
from nexus.mentorship.services.milestones import milestone_submit
from nexus.mentorship.services.reminders import add_months, milestone_due_date
from nexus.mentorship.tasks import send_milestone_reminders
from tests.tasks import run_task

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "month", "due"),
    [
        (date(2026, 3, 15), 1, date(2026, 4, 14)),
        (date(2026, 3, 15), 3, date(2026, 6, 14)),
        (date(2026, 1, 31), 1, date(2026, 2, 27)),
        (date(2027, 11, 1), 2, date(2027, 12, 31)),
        (date(2028, 1, 30), 1, date(2028, 2, 28)),
    ],
)
def test_a_milestone_is_due_on_the_last_day_of_its_programme_month(start, month, due):
    assert milestone_due_date(cohort_start=start, month_number=month) == due


def _cohort_due_in(days, program, mentor, learner):
    """A cohort whose month 1 (milestone 1) ends `days` from today."""
    today = clock.today()
    start = add_months(today + timedelta(days=days + 1), -1)
    # add_months clamps at month ends; walk to the start whose month 1 ends exactly then.
    while milestone_due_date(cohort_start=start, month_number=1) < today + timedelta(days=days):
        start += timedelta(days=1)
    cohort = journal_services.cohort_create(
        actor=mentor, program=program, name="Reminded", start_date=start, mentors=[mentor]
    )
    journal_services.cohort_add_learner(actor=mentor, cohort=cohort, learner=learner)
    return cohort


def _reminders(kind_name):
    return list(OutboxEvent.objects.filter(name=kind_name).order_by("created_at"))


def test_due_soon_then_overdue_each_once_to_the_learner_and_their_mentors(
    awkward_moment, program, mentor, owner
):
    _cohort_due_in(3, program, mentor, owner)
    first_milestone = MilestoneProgress.objects.get(learner=owner, milestone__number=1)

    sent = run_task(send_milestone_reminders)
    again = run_task(send_milestone_reminders)

    [due] = _reminders("milestone.due")
    assert (sent, again) == (1, 0)
    assert due.subject_id == str(first_milestone.pk)
    assert sorted(due.payload["recipient_ids"]) == sorted([owner.pk, mentor.pk])
    assert due.payload["kind"] == "due_soon"

    with time_machine.travel(clock.now() + timedelta(days=5), tick=False):
        late = run_task(send_milestone_reminders)
        late_again = run_task(send_milestone_reminders)
    assert (late, late_again) == (1, 0)
    [overdue] = _reminders("milestone.overdue")
    assert overdue.payload["kind"] == "overdue"
    assert len(_reminders("milestone.due")) == 1


def test_work_waiting_for_review_or_done_is_not_reminded(awkward_moment, program, mentor, owner):
    _cohort_due_in(-2, program, mentor, owner)
    first = MilestoneProgress.objects.get(learner=owner, milestone__number=1)
    milestone_submit(progress=first, actor=owner)

    assert run_task(send_milestone_reminders) == 0
    assert not _reminders("milestone.overdue")


def test_milestones_far_from_due_are_not_reminded(program, mentor, owner):
    _cohort_due_in(20, program, mentor, owner)
    assert run_task(send_milestone_reminders) == 0


def test_the_beat_runs_the_reminders_daily():
    from nexus.celery import app

    entry = app.conf.beat_schedule["milestone-reminders"]
    assert entry["task"] == send_milestone_reminders.name
