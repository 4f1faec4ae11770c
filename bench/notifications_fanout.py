"""Fan-out of one event to N followers: ours (batched bulk inserts) vs a naive per-row loop.

    make bench-notifications                      # 10,000 followers, SQLite (or DATABASE_URL)
    .venv/bin/python bench/notifications_fanout.py --followers 2000

Runs in a throw-away test database (created and destroyed here), prints one table, and writes it
to bench/results/notifications_fanout.txt.
"""

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "True")
os.environ.setdefault("EMAIL_URL", "dummymail://")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402

from nexus.accounts.models import User  # noqa: E402
from nexus.core.models import OutboxEvent  # noqa: E402
from nexus.notifications import fanout  # noqa: E402
from nexus.notifications.models import EmailPreference, Notification, Subscription  # noqa: E402
from nexus.notifications.registry import default_frequency  # noqa: E402

TARGET = ("knowledge.technology", "postgresql")


def make_followers(count: int) -> None:
    password = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"bench{i}@example.com", display_name=f"Bench {i}", password=password)
        for i in range(count)
    )
    Subscription.objects.bulk_create(
        Subscription(user=user, target_type=TARGET[0], target_id=TARGET[1]) for user in users
    )
    # One in ten has a preference of their own, so both variants must look preferences up.
    EmailPreference.objects.bulk_create(
        EmailPreference(user=user, event_type="article.updated", frequency="daily")
        for user in users[::10]
    )


def new_event() -> OutboxEvent:
    return OutboxEvent.objects.create(
        name="article.updated",
        payload={"title": "PostgreSQL 19 notes", "url": "/a/pg/", "follow_targets": [TARGET]},
    )


def naive_fan_out(event: OutboxEvent) -> int:
    """The baseline: one follower at a time, a few queries each."""
    count = 0
    for subscription in Subscription.objects.filter(target_type=TARGET[0], target_id=TARGET[1]):
        preference = EmailPreference.objects.filter(
            user_id=subscription.user_id, event_type=event.name
        ).first()
        Notification.objects.get_or_create(
            event_id=event.pk,
            recipient_id=subscription.user_id,
            defaults={
                "event_name": event.name,
                "title": event.payload["title"],
                "url": event.payload["url"],
                "email_frequency": preference.frequency
                if preference
                else default_frequency(event.name),
            },
        )
        count += 1
    return count


def limit_insert(event: OutboxEvent) -> int:
    """The floor: the follower ids in one query and the rows in one bulk insert, nothing else."""
    ids = Subscription.objects.filter(target_type=TARGET[0], target_id=TARGET[1]).values_list(
        "user_id", flat=True
    )
    rows = [
        Notification(event_id=event.pk, recipient_id=i, event_name=event.name, title="t")
        for i in ids
    ]
    return len(Notification.objects.bulk_create(rows, batch_size=1000))


class QueryCounter:
    """Counts queries without logging them (the debug log would slow the naive loop down)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(name: str, run, event: OutboxEvent) -> dict[str, object]:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        run(event)
        seconds = time.perf_counter() - started
    rows = Notification.objects.filter(event_id=event.pk).count()
    return {"variant": name, "rows": rows, "queries": counter.count, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=10_000)
    args = parser.parse_args()

    old_name = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":  # its own database, never the test suite's test_<name>
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{old_name}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        make_followers(args.followers)
        ours_event = new_event()
        run_ours = lambda e: fanout.event_fan_out(event=e)  # noqa: E731
        results = [
            measure("ours: event_fan_out (batches of 1000)", run_ours, ours_event),
            measure("ours again (idempotent re-run)", run_ours, ours_event),
            measure("limit: one bulk insert, no preferences", limit_insert, new_event()),
            measure("naive: per-row loop", naive_fan_out, new_event()),
        ]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    header = f"Fan-out of one event to {args.followers:,} followers on {connection.vendor}"
    lines = [header, "", f"{'variant':44} {'rows':>7} {'queries':>8} {'seconds':>8} {'rows/s':>9}"]
    for r in results:
        rate = r["rows"] / r["seconds"] if r["seconds"] else 0  # type: ignore[operator]
        numbers = f"{r['rows']:>7,} {r['queries']:>8,} {r['seconds']:>8.2f} {rate:>9,.0f}"
        lines.append(f"{r['variant']:44} {numbers}")
    naive, ours = results[3], results[0]
    lines += [
        "",
        f"ours vs naive: {naive['queries'] / max(1, ours['queries']):,.0f}x fewer queries, "  # type: ignore[operator]
        f"{naive['seconds'] / ours['seconds']:.1f}x faster",  # type: ignore[operator]
    ]
    report = "\n".join(lines)
    print(report)
    out = REPO / "bench" / "results" / "notifications_fanout.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report + "\n")


if __name__ == "__main__":
    main()
