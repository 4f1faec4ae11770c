"""Journal fixtures: the default program, a cohort with the owner in it, and entry helpers."""

from datetime import date, timedelta

import pytest

from nexus.core import clock
from nexus.journal import selectors, services
from nexus.journal.models import Entry, Visibility


@pytest.fixture
def program(db):
    return selectors.default_program()


@pytest.fixture
def cohort(program, mentor):
    start = clock.today() - timedelta(days=120)
    return services.cohort_create(
        actor=mentor, program=program, name="Autumn cohort", start_date=start, mentors=[mentor]
    )


@pytest.fixture
def learner(owner, cohort, mentor):
    services.cohort_add_learner(actor=mentor, cohort=cohort, learner=owner)
    return owner


def write_entry(author, *, days_ago=0, visibility=Visibility.PRIVATE, minutes=30, **extra) -> Entry:
    return services.entry_create(
        author=author,
        date=clock.today() - timedelta(days=days_ago),
        body=extra.pop("body", f"Worked on things, {days_ago} days ago."),
        minutes_spent=minutes,
        visibility=visibility,
        **extra,
    )


@pytest.fixture
def entries_of_every_visibility(owner):
    return {
        visibility: write_entry(owner, visibility=visibility, body=f"A {visibility} entry")
        for visibility in Visibility.values
    }


def first_of_month(day: date) -> date:
    return day.replace(day=1)
