"""Time as a test input: the awkward days date-sensitive tests run on, and the suite's clock switch.

- `AWKWARD_MOMENTS` are the days a date bug shows itself: the first and the last day of a month,
  28 February of a common year and 29 February of a leap year, New Year's Eve late at night and
  New Year's Day just after midnight, both daylight-saving changes in a non-UTC TIME_ZONE, and a
  month's last evening when UTC is already in the next month. Use them through
  the `awkward_moment` fixture (tests/conftest.py), which stops the clock there (a `Stopped`) and
  sets the moment's TIME_ZONE.
- `upcoming_awkward_moment(name, after)` is the next such day after a moment, for browser tests:
  the browser keeps its own clock, so a day in its past would expire the session cookie the
  server sets (the `upcoming_awkward_day` fixture travels there, the clock ticking).
- `NEXUS_TEST_CLOCK` moves the whole suite to another day: `2027-02-28`, `2028-12-31T23:30`, or
  `random` / `random:<seed>` for a day within the next two years (the seed is printed, so the
  day can be had again). The clock keeps ticking from there.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import random
import zoneinfo
from dataclasses import dataclass

import pytest
import time_machine

CLOCK_VARIABLE = "NEXUS_TEST_CLOCK"
RANDOM_SPAN_DAYS = 2 * 365


@dataclass(frozen=True)
class Moment:
    """An instant and the TIME_ZONE it is lived in."""

    local: dt.datetime
    time_zone: str = "UTC"

    @property
    def instant(self) -> dt.datetime:
        return self.local.replace(tzinfo=zoneinfo.ZoneInfo(self.time_zone))

    @property
    def today(self) -> dt.date:
        return self.local.date()


@dataclass(frozen=True)
class Stopped:
    """The clock stopped at a moment; `advance` moves it on (a token expiring, a day passing)."""

    moment: Moment
    traveller: time_machine.Traveller

    @property
    def today(self) -> dt.date:
        return self.moment.today

    @property
    def instant(self) -> dt.datetime:
        return self.moment.instant

    @property
    def time_zone(self) -> str:
        return self.moment.time_zone

    def advance(self, delta: dt.timedelta) -> None:
        self.traveller.shift(delta)


def _moment(text: str, time_zone: str = "UTC") -> Moment:
    return Moment(dt.datetime.fromisoformat(text), time_zone)


AWKWARD_MOMENTS = [
    pytest.param(_moment("2027-03-01T00:20"), id="first-of-month"),
    pytest.param(_moment("2027-01-31T23:40"), id="last-of-month"),
    pytest.param(_moment("2027-02-28T12:00"), id="28-february"),
    pytest.param(_moment("2028-02-29T12:00"), id="29-february"),
    pytest.param(_moment("2027-12-31T23:50"), id="new-years-eve"),
    pytest.param(_moment("2028-01-01T00:10"), id="new-years-day"),
    # 2027-03-14 02:00 does not exist in New York: clocks jump to 03:00.
    pytest.param(_moment("2027-03-14T03:30", "America/New_York"), id="dst-spring-forward"),
    # 22:30 on 6 November in New York is already 7 November in UTC; the night after, clocks fall back.
    pytest.param(_moment("2027-11-06T22:30", "America/New_York"), id="dst-fall-back-eve"),
    # The last evening of October in New York, when UTC has already moved on to November.
    pytest.param(_moment("2027-10-31T21:45", "America/New_York"), id="month-end-behind-utc"),
]


UPCOMING_AWKWARD_DAYS = ["first-of-month", "last-of-month", "29-february", "new-years-eve"]


def upcoming_awkward_moment(name: str, after: dt.datetime) -> dt.datetime:
    """The first moment of kind `name` (UTC) after `after`: just past midnight on a month's first
    day, late on its last day, midday on 29 February, late on New Year's Eve."""

    def month_end(year: int, month: int) -> dt.datetime:
        last = calendar.monthrange(year, month)[1]
        return dt.datetime(year, month, last, 23, 40, tzinfo=dt.UTC)

    def following(year: int, month: int) -> tuple[int, int]:
        return (year + 1, 1) if month == 12 else (year, month + 1)

    year, month = after.year, after.month
    if name == "first-of-month":
        next_year, next_month = following(year, month)
        return dt.datetime(next_year, next_month, 1, 0, 20, tzinfo=dt.UTC)
    if name == "last-of-month":
        end = month_end(year, month)
        return end if end > after else month_end(*following(year, month))
    if name == "29-february":
        year += 0 if (after.month, after.day) < (2, 29) else 1
        while not calendar.isleap(year):
            year += 1
        return dt.datetime(year, 2, 29, 12, 0, tzinfo=dt.UTC)
    if name == "new-years-eve":
        eve = dt.datetime(year, 12, 31, 23, 50, tzinfo=dt.UTC)
        return eve if eve > after else eve.replace(year=year + 1)
    raise ValueError(f"no awkward day named {name!r}: {UPCOMING_AWKWARD_DAYS}")


def suite_moment(value: str | None = None) -> tuple[dt.datetime, str] | None:
    """The moment NEXUS_TEST_CLOCK asks for (UTC) and how to ask for it again; None when unset."""
    value = (os.environ.get(CLOCK_VARIABLE, "") if value is None else value).strip()
    if not value:
        return None
    if value == "random" or value.startswith("random:"):
        seed = int(value.partition(":")[2] or random.SystemRandom().randrange(10**6))
        chooser = random.Random(seed)
        start = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        moment = start + dt.timedelta(
            days=chooser.randrange(1, RANDOM_SPAN_DAYS), minutes=chooser.randrange(24 * 60)
        )
        return moment, f"{CLOCK_VARIABLE}=random:{seed} (today; any day: {moment:%Y-%m-%dT%H:%M})"
    moment = dt.datetime.fromisoformat(value)
    if len(value) == 10:  # a bare date: the middle of that day
        moment = moment.replace(hour=12)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC), f"{CLOCK_VARIABLE}={value}"
