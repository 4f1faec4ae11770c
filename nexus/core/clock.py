"""The clock: every read of the current time in Nexus goes through here.

Dates decide outcomes (a journal entry may not be in the future, digests cover "since
yesterday", tokens expire), so time is an input: tests freeze it with time-machine, and the suite
can run on any chosen day (`NEXUS_TEST_CLOCK`, see tests/clock.py). "Today" is always the date in
the configured TIME_ZONE, never the server's local date.
"""

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current moment, timezone-aware."""
    return timezone.now()


def today() -> dt.date:
    """Today's date in the configured TIME_ZONE."""
    return timezone.localdate()


def first_of_this_month() -> dt.date:
    """The first day of the current month in the configured TIME_ZONE."""
    return today().replace(day=1)
