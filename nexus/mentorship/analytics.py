"""Rubric charts of a cohort, in the journal's Chart shape (drawn on the cohort dashboard, served
as JSON and CSV): one query each. Every review counts, each round included, scored on whichever
rubric version it used; criteria are matched by name."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db.models import Avg, Count, Min, QuerySet

from nexus.journal import selectors as journal_selectors
from nexus.journal.analytics import Chart, Dataset
from nexus.journal.models import Cohort
from nexus.mentorship.models import MilestoneScore


def _cohort_scores(cohort: Cohort) -> QuerySet[MilestoneScore]:
    return MilestoneScore.objects.filter(
        review__submission__progress__learner_id__in=journal_selectors.cohort_learner_ids(
            cohort=cohort
        ),
        review__submission__progress__milestone__program_id=cohort.program_id,
    )


def _criteria_in_order(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    first_position: dict[str, int] = {}
    for row in rows:
        name, position = str(row["criterion"]), int(str(row["position"]))
        first_position[name] = min(position, first_position.get(name, position))
    return sorted(first_position, key=lambda name: (first_position[name], name))


def rubric_scores(cohort: Cohort) -> Chart:
    """Per criterion, how many times each score was given (stacked: the distribution)."""
    rows = list(
        _cohort_scores(cohort)
        .values("criterion", "score")
        .annotate(n=Count("id"), position=Min("position"))
        .order_by("criterion", "score")
    )
    criteria = _criteria_in_order(rows)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[int(str(row["score"]))][str(row["criterion"])] += int(str(row["n"]))
    return Chart(
        "rubric-scores",
        "Rubric scores per criterion",
        "bar",
        criteria,
        [
            Dataset(f"Score {score}", [counts[score][name] for name in criteria])
            for score in sorted(counts)
        ],
        stacked=True,
    )


def rubric_trend(cohort: Cohort) -> Chart:
    """Per criterion, the cohort's mean score on each milestone, in the programme's order."""
    milestone = "review__submission__progress__milestone__number"
    rows = list(
        _cohort_scores(cohort)
        .values("criterion", milestone)
        .annotate(mean=Avg("score"), position=Min("position"))
        .order_by(milestone, "criterion")
    )
    criteria = _criteria_in_order(rows)
    numbers = sorted({int(str(row[milestone])) for row in rows})
    means: dict[str, dict[int, float]] = defaultdict(dict)
    for row in rows:
        number = int(str(row[milestone]))
        means[str(row["criterion"])][number] = round(float(str(row["mean"])), 2)
    return Chart(
        "rubric-trend",
        "Mean rubric score per milestone",
        "line",
        [f"Milestone {number}" for number in numbers],
        [Dataset(name, [means[name].get(number) for number in numbers]) for name in criteria],
    )


RUBRIC_CHARTS: dict[str, Callable[[Cohort], Chart]] = {
    "rubric-scores": rubric_scores,
    "rubric-trend": rubric_trend,
}
