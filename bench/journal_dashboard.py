"""Cohort dashboard on 500 learners x a year of entries: ours (aggregated in the database, one
query per chart) side by side with a naive Python-loop aggregation, against the 300 ms limit.

    make bench-journal                                  # SQLite (in-memory test database)
    DATABASE_URL=postgres://... make bench-journal      # PostgreSQL (creates test_<name>)
    BENCH_ARGS="--learners 100 --days 90" make bench-journal

The data lives in a throw-away test database that is dropped at the end.
"""

import argparse
import os
import random
import sys
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

LIMIT_MS = 300.0


def build(learners: int, days: int, seed: int) -> object:
    """Users, a cohort, milestone progress and entries with topics, all with bulk_create."""
    from nexus.accounts.models import Role, User
    from nexus.journal import selectors, services
    from nexus.journal.models import Cohort, CohortMembership, Entry, MilestoneProgress
    from nexus.knowledge.models import Technology

    rng = random.Random(seed)
    today = timezone.localdate()
    program = selectors.default_program()
    cohort = Cohort.objects.create(
        program=program, name="Bench cohort", start_date=today - timedelta(days=days)
    )
    users = User.objects.bulk_create(
        User(email=f"bench{n}@example.com", display_name=f"Learner {n:04d}", role=Role.LEARNER)
        for n in range(learners)
    )
    CohortMembership.objects.bulk_create(CohortMembership(cohort=cohort, learner=u) for u in users)
    milestones = list(program.milestones.all())
    statuses = ["not_started", "in_progress", "submitted", "done"]
    MilestoneProgress.objects.bulk_create(
        MilestoneProgress(learner=u, milestone=m, status=rng.choice(statuses))
        for u in users
        for m in milestones
    )
    technologies = list(Technology.objects.all())
    through = Entry.topics.through
    total = 0
    for user in users:
        # Most learners write on ~60% of days; a tenth stopped a month or more ago.
        stopped = rng.randint(30, days) if rng.random() < 0.1 else 0
        entries = [
            Entry(
                author=user,
                date=today - timedelta(days=offset),
                body="Bench entry",
                body_html="<p>Bench entry</p>",
                minutes_spent=rng.randint(15, 240),
                confidence=rng.randint(1, 5),
                visibility=rng.choice(["private", "mentors", "public"]),
            )
            for offset in range(stopped, days)
            if rng.random() < 0.6
        ]
        Entry.objects.bulk_create(entries, batch_size=2000)
        through.objects.bulk_create(
            [
                through(entry_id=entry.pk, technology_id=tech.pk)
                for entry in entries
                for tech in rng.sample(technologies, rng.randint(0, 2))
            ],
            batch_size=5000,
        )
        total += len(entries)
    # Bulk loads bypass the entry services, so recount the stored per-learner topic totals.
    services.learner_topics_refresh()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"built {learners} learners, {total} entries over {days} days", flush=True)
    return selectors.cohort_list().get(pk=cohort.pk)


def ours(cohort: object) -> str:
    from nexus.journal.views import cohort_dashboard_context

    return render_to_string("journal/cohort_dashboard.html", cohort_dashboard_context(cohort))


def naive(cohort: object) -> dict:
    """What the dashboard would be with rows pulled into Python and counted in loops."""
    from nexus.journal.models import CohortMembership, Entry, MilestoneProgress

    members = [m.learner for m in CohortMembership.objects.filter(cohort=cohort)]
    done, last, coverage = {}, {}, defaultdict(set)
    for learner in members:
        statuses = Counter(p.status for p in MilestoneProgress.objects.filter(learner=learner))
        done[learner.display_name] = statuses["done"]
        dates = [e.date for e in Entry.objects.filter(author=learner)]
        last[learner.display_name] = max(dates) if dates else None
        for entry in Entry.objects.filter(author=learner).prefetch_related("topics"):
            for topic in entry.topics.all():
                coverage[topic.name].add(learner.pk)
    cutoff = timezone.localdate() - timedelta(days=14)
    inactive = {name: day for name, day in last.items() if day is None or day < cutoff}
    return {
        "done": done,
        "inactive": inactive,
        "coverage": {k: len(v) for k, v in coverage.items()},
    }


def timed(function, cohort, runs: int) -> tuple[list[float], int]:
    function(cohort)  # warm caches and templates
    times, counted = [], []

    def count(execute, sql, params, many, context):
        counted.append(1)
        return execute(sql, params, many, context)

    for _ in range(runs):
        counted.clear()
        with connection.execute_wrapper(count):
            start = time.perf_counter()
            function(cohort)
            times.append((time.perf_counter() - start) * 1000)
    return times, len(counted)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--naive-runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        cohort = build(args.learners, args.days, args.seed)
        print(f"data built in {time.perf_counter() - started:.1f} s", flush=True)
        rows = []
        for name, function, runs in (
            ("ours: DB aggregates + render", ours, args.runs),
            ("naive: Python loops", naive, args.naive_runs),
        ):
            times, queries = timed(function, cohort, runs)
            rows.append((name, runs, queries, percentile(times, 50), percentile(times, 99)))
        report = table(rows, connection.vendor, args)
        print(report)
        out = ROOT / "bench" / "results" / f"journal_dashboard-{connection.vendor}.txt"
        out.write_text(report + "\n")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def table(rows: list[tuple], vendor: str, args: argparse.Namespace) -> str:
    lines = [
        f"cohort dashboard · {vendor} · {args.learners} learners x {args.days} days",
        f"{'approach':<30} {'runs':>5} {'queries':>8} {'p50 ms':>9} {'p99 ms':>9} {'limit':>7}",
    ]
    for name, runs, queries, p50, p99 in rows:
        verdict = "ok" if p99 <= LIMIT_MS else "over"
        lines.append(f"{name:<30} {runs:>5} {queries:>8} {p50:>9.1f} {p99:>9.1f} {verdict:>7}")
    lines.append(f"{'limit (issue #9)':<30} {'':>5} {'':>8} {LIMIT_MS:>9.1f} {LIMIT_MS:>9.1f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
