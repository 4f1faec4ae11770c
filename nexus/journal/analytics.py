"""Dashboard charts, each aggregated in the database by one query (plus one per evidence kind).

A chart is Chart.js-shaped data: labels and datasets. The same object is drawn on the pages and
served as JSON and CSV by the analytics API.
"""

import csv
import io
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncWeek

from nexus.accounts.models import User
from nexus.core import clock
from nexus.journal import evidence, selectors
from nexus.journal.models import (
    Cohort,
    Entry,
    LearnerTopic,
    MilestoneProgress,
    MilestoneStatus,
    Reflection,
)
from nexus.knowledge import selectors as knowledge_selectors

WEEKS_SHOWN = 26
INACTIVE_DAYS = 14


@dataclass
class Dataset:
    label: str
    data: Sequence[float | int | None]


@dataclass
class Chart:
    name: str
    title: str
    kind: str  # a Chart.js chart type: line, bar, doughnut
    labels: list[str]
    datasets: list[Dataset] = field(default_factory=list)
    stacked: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def has_data(self) -> bool:
        """Whether there is anything to draw: all zeros would be an empty canvas to a reader."""
        return any(value for dataset in self.datasets for value in dataset.data)

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["label", *(d.label for d in self.datasets)])
        for index, label in enumerate(self.labels):
            writer.writerow([label, *(_cell(d.data[index]) for d in self.datasets)])
        return out.getvalue()


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weeks(since: date, until: date) -> list[date]:
    first, weeks = _week_start(since), []
    while first <= until:
        weeks.append(first)
        first += timedelta(weeks=1)
    return weeks


def _as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def window(today: date | None = None) -> tuple[date, date]:
    """The dashboards' time range: the last WEEKS_SHOWN weeks up to today."""
    today = today or clock.today()
    return _week_start(today) - timedelta(weeks=WEEKS_SHOWN - 1), today


def _weekly(rows: Any, key: str, weeks: list[date]) -> list[int]:
    by_week = {_as_date(row["week"]): row[key] or 0 for row in rows}
    return [int(by_week.get(week, 0)) for week in weeks]


# --- A learner ------------------------------------------------------------------------------


def learner_activity(learner: User, today: date | None = None) -> Chart:
    """Entries and hours per week, with each evidence kind (articles, ...) beside them."""
    since, until = window(today)
    weeks = _weeks(since, until)
    rows = list(
        Entry.objects.filter(author=learner, date__gte=since, date__lte=until)
        .annotate(week=TruncWeek("date"))
        .values("week")
        .annotate(entries=Count("id"), minutes=Sum("minutes_spent"))
        .order_by("week")
    )
    datasets = [
        Dataset("Entries", _weekly(rows, "entries", weeks)),
        Dataset("Hours", [round(m / 60, 1) for m in _weekly(rows, "minutes", weeks)]),
    ]
    for provider in evidence.providers():
        counts = provider.weekly_counts([learner.pk], since)
        datasets.append(Dataset(provider.label, [counts.get(week, 0) for week in weeks]))
    return Chart("activity", "Activity per week", "line", [f"{w}" for w in weeks], datasets)


def learner_milestones(learner: User, today: date | None = None) -> Chart:
    """How many of the learner's milestones are in each status."""
    counts = dict(
        MilestoneProgress.objects.filter(learner=learner)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Chart(
        "milestones",
        "Milestone progress",
        "doughnut",
        [str(label) for label in MilestoneStatus.labels],
        [Dataset("Milestones", [counts.get(value, 0) for value in MilestoneStatus.values])],
    )


def learner_topics(learner: User, today: date | None = None) -> Chart:
    """Entries per topic of the learner's program: what is covered and what is not yet."""
    cohort = selectors.cohort_of(learner=learner)
    program = cohort.program if cohort else selectors.default_program()
    found = (
        knowledge_selectors.technology_list()
        .select_related(None)
        .filter(program_months__program=program)
        .annotate(
            entries=Count(
                "journal_entries",
                filter=Q(journal_entries__author=learner),
                distinct=True,
            ),
            month=Max("program_months__number"),
        )
        .order_by("month", "name")
        .values_list("name", "entries")
    )
    rows = list(found)
    return Chart(
        "topics",
        "Program topics covered",
        "bar",
        [name for name, _ in rows],
        [Dataset("Entries", [n for _, n in rows])],
    )


def learner_streak(learner: User, today: date | None = None) -> int:
    """Consecutive days up to today (or yesterday, if today is still empty) with an entry."""
    today = today or clock.today()
    days = set(
        Entry.objects.filter(author=learner, date__gt=today - timedelta(days=366))
        .values_list("date", flat=True)
        .distinct()
    )
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


# --- A cohort -------------------------------------------------------------------------------


def _cohort_learners(cohort: Cohort) -> QuerySet[User]:
    return User.objects.filter(pk__in=selectors.cohort_learner_ids(cohort=cohort))


def cohort_milestones(cohort: Cohort, today: date | None = None) -> Chart:
    """Milestones per learner by status, stacked."""
    rows = list(
        _cohort_learners(cohort)
        .annotate(
            done=Count("milestone_progress", filter=Q(milestone_progress__status="done")),
            submitted=Count("milestone_progress", filter=Q(milestone_progress__status="submitted")),
            in_progress=Count(
                "milestone_progress", filter=Q(milestone_progress__status="in_progress")
            ),
        )
        .order_by("display_name", "id")
        .values("display_name", "done", "submitted", "in_progress")
    )
    return Chart(
        "cohort-milestones",
        "Milestones per learner",
        "bar",
        [row["display_name"] for row in rows],
        [
            Dataset("Done", [row["done"] for row in rows]),
            Dataset("Submitted", [row["submitted"] for row in rows]),
            Dataset("In progress", [row["in_progress"] for row in rows]),
        ],
        stacked=True,
    )


def cohort_inactive(cohort: Cohort, today: date | None = None) -> Chart:
    """Learners with neither an entry nor a log-in in the last two weeks: days since the entry."""
    today = today or clock.today()
    cutoff = today - timedelta(days=INACTIVE_DAYS)
    since_login = clock.now() - timedelta(days=INACTIVE_DAYS)
    # One index seek per learner on (author, -date), instead of grouping all their entries.
    latest = Entry.objects.filter(author=OuterRef("pk")).order_by("-date").values("date")[:1]
    rows = list(
        _cohort_learners(cohort)
        .annotate(last_entry=Subquery(latest))
        # "Quiet for 14 days or more": an entry exactly 14 days old counts as quiet.
        .filter(Q(last_entry__lte=cutoff) | Q(last_entry__isnull=True))
        .filter(Q(last_login__lte=since_login) | Q(last_login__isnull=True))
        .order_by("last_entry", "display_name", "id")
        .values("display_name", "last_entry")
    )
    return Chart(
        "cohort-inactive",
        f"Quiet for {INACTIVE_DAYS} days or more",
        "bar",
        [row["display_name"] for row in rows],
        [
            Dataset(
                "Days since the last entry",
                [(today - row["last_entry"]).days if row["last_entry"] else None for row in rows],
            )
        ],
    )


def cohort_coverage(cohort: Cohort, today: date | None = None) -> Chart:
    """How many of the cohort's learners have written about each technology (top 20)."""
    rows = list(
        LearnerTopic.objects.filter(learner_id__in=selectors.cohort_learner_ids(cohort=cohort))
        .values("technology__name")
        .annotate(learners=Count("learner_id"))
        .order_by("-learners", "technology__name")[:20]
    )
    return Chart(
        "cohort-coverage",
        "Technology coverage",
        "bar",
        [row["technology__name"] for row in rows],
        [Dataset("Learners", [row["learners"] for row in rows])],
    )


def cohort_challenge_topics(cohort: Cohort, today: date | None = None) -> Chart:
    """The technologies of the challenges the cohort's learners posted (top 20), one query."""
    learners = _cohort_learners(cohort).values("pk")
    rows = list(evidence.challenge_topic_counts(learners)[:20])
    return Chart(
        "cohort-challenge-topics",
        "Most asked challenge topics",
        "bar",
        [row["name"] for row in rows],
        [Dataset("Challenges", [row["challenges"] for row in rows])],
    )


# --- The whole program (admins) -------------------------------------------------------------


def weekly_active_users(today: date | None = None) -> Chart:
    """Distinct people writing in the journal each week."""
    since, until = window(today)
    weeks = _weeks(since, until)
    rows = (
        Entry.objects.filter(date__gte=since, date__lte=until)
        .annotate(week=TruncWeek("date"))
        .values("week")
        .annotate(users=Count("author", distinct=True))
        .order_by("week")
    )
    return Chart(
        "weekly-active-users",
        "Weekly active learners",
        "line",
        [str(w) for w in weeks],
        [Dataset("Learners", _weekly(rows, "users", weeks))],
    )


def content_per_week(today: date | None = None) -> Chart:
    """Entries, reflections and every evidence kind created per week."""
    since, until = window(today)
    weeks = _weeks(since, until)
    entries = (
        Entry.objects.filter(date__gte=since, date__lte=until)
        .annotate(week=TruncWeek("date"))
        .values("week")
        .annotate(n=Count("id"))
        .order_by("week")
    )
    reflections = evidence.weekly_counts(
        Reflection.objects.filter(created_at__gte=evidence.aware_bounds(since, until)[0]),
        "created_at",
    )
    datasets = [
        Dataset("Entries", _weekly(entries, "n", weeks)),
        Dataset("Reflections", [reflections.get(w, 0) for w in weeks]),
    ]
    for provider in evidence.providers():
        counts = provider.weekly_counts(None, since)
        datasets.append(Dataset(provider.label, [counts.get(w, 0) for w in weeks]))
    return Chart(
        "content-per-week",
        "Content created per week",
        "bar",
        [str(w) for w in weeks],
        datasets,
        stacked=True,
    )


def _posted_in_window(today: date | None) -> tuple[list[date], Any]:
    since, until = window(today)
    return _weeks(since, until), evidence.challenges_posted(since, until + timedelta(days=1))


def challenges_solved_ratio(today: date | None = None) -> Chart:
    """Per week of posting: challenges posted, how many have an accepted solution, and the ratio.

    Duplicates are left out; one aggregate query.
    """
    weeks, posted = _posted_in_window(today)
    rows = list(
        posted.annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(
            posted=Count("id"),
            solved=Count("id", filter=Q(accepted_solution__isnull=False)),
        )
        .order_by("week")
    )
    posted_counts, solved_counts = _weekly(rows, "posted", weeks), _weekly(rows, "solved", weeks)
    return Chart(
        "challenges-solved",
        "Challenges solved ratio",
        "bar",
        [str(w) for w in weeks],
        [
            Dataset("Posted", posted_counts),
            Dataset("Solved", solved_counts),
            Dataset(
                "Solved %",
                [
                    round(100 * solved / total, 1) if total else None
                    for solved, total in zip(solved_counts, posted_counts, strict=True)
                ],
            ),
        ],
    )


def median_time_to_first_solution(today: date | None = None) -> Chart:
    """Per week of posting: the median hours from a challenge to its first solution.

    One query: the database finds each answered challenge's first solution (MIN per challenge)
    and its posting week; the median is taken in Python over those values, which the dashboard
    window bounds to the challenges posted in the last WEEKS_SHOWN weeks (SQLite has no
    percentile aggregate, and one code path keeps both databases' numbers identical).
    """
    weeks, posted = _posted_in_window(today)
    rows = (
        posted.annotate(first=evidence.first_solution_at())
        .filter(first__isnull=False)
        .annotate(week=TruncWeek("created_at"))
        .values_list("week", "created_at", "first")
    )
    delays: dict[date, list[float]] = {}
    for week, created, first in rows:
        delays.setdefault(_as_date(week), []).append((first - created).total_seconds() / 3600)
    medians = [
        round(statistics.median(delays[week]), 1) if week in delays else None for week in weeks
    ]
    return Chart(
        "time-to-first-solution",
        "Median time to first solution",
        "line",
        [str(w) for w in weeks],
        [Dataset("Median hours", medians)],
    )


LEARNER_CHARTS: dict[str, Callable[..., Chart]] = {
    "activity": learner_activity,
    "milestones": learner_milestones,
    "topics": learner_topics,
}
COHORT_CHARTS: dict[str, Callable[..., Chart]] = {
    "milestones": cohort_milestones,
    "inactive": cohort_inactive,
    "coverage": cohort_coverage,
    "challenge-topics": cohort_challenge_topics,
}
PROGRAM_CHARTS: dict[str, Callable[..., Chart]] = {
    "weekly-active-users": weekly_active_users,
    "content-per-week": content_per_week,
    "challenges-solved": challenges_solved_ratio,
    "time-to-first-solution": median_time_to_first_solution,
}
