"""Nexus's own metrics on /metrics after doing the thing: outbox lag, webhook deliveries, imports,
search latency, database and cache timings, the Celery queue depth, the week's activity; and a
real prefork worker's task failures and retries on its own exporter port."""

import urllib.request
import uuid
from datetime import timedelta

import pytest
from celery import current_app
from django.core.cache import caches
from django.db import DatabaseError, connection, transaction
from prometheus_client.parser import text_string_to_metric_families

from nexus.accounts.models import User
from nexus.challenges.services.challenges import challenge_create, solution_create
from nexus.core import clock, metrics
from nexus.core.models import OutboxEvent
from nexus.importer import sources
from nexus.importer.pipeline import run_import
from nexus.knowledge.services.articles import article_create
from nexus.mentorship.services.milestones import milestone_review, milestone_submit
from nexus.notifications import services as notifications
from tests import figures, servers
from tests.core import poison_tasks
from tests.factories import UserFactory
from tests.importer.journals import JOURNAL
from tests.mentorship.conftest import (  # noqa: F401 (fixtures)
    GOOD_SCORES,
    cohort,
    learner,
    program,
    progress,
    rubric,
)
from tests.notifications.conftest import Receiver
from tests.notifications.test_broker_delivery import (
    Worker,
    delete_queue,
    send_to_a_queue_of_our_own,
    wait_until,
)

TOKEN = "a-metrics-token-for-prometheus-0123456789"


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of a Prometheus text exposition, keyed by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.fixture
def scrape(client, settings):
    """GET /metrics as Prometheus does; returns its samples."""
    settings.NEXUS_METRICS_TOKEN = TOKEN

    def get() -> dict[tuple[str, frozenset], float]:
        response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200
        return samples(response.content.decode())

    return get


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


@pytest.mark.django_db
def test_the_outbox_lag_is_the_pending_count_and_the_oldest_pending_age(scrape, stopped_clock):
    assert value(scrape(), "nexus_outbox_oldest_pending_seconds") == 0
    now = clock.now()
    events = OutboxEvent.objects.bulk_create(
        [OutboxEvent(name="test.pending") for _ in range(3)]
        + [OutboxEvent(name="test.handed", handed_over_at=now)]
    )
    OutboxEvent.objects.filter(pk=events[0].pk).update(created_at=now - timedelta(seconds=600))
    found = scrape()
    assert value(found, "nexus_outbox_pending_events") == 3
    assert value(found, "nexus_outbox_oldest_pending_seconds") == 600
    figures.report("outbox metrics: 3 pending, the oldest 600 s old")


@pytest.mark.django_db
def test_the_outbox_figures_take_one_query_however_many_events_wait(
    scrape, django_assert_max_num_queries
):
    OutboxEvent.objects.bulk_create([OutboxEvent(name="test.pending") for _ in range(200)])
    scrape()  # the week's activity is counted now, then remembered for a minute
    with django_assert_max_num_queries(1):
        found = scrape()
    assert value(found, "nexus_outbox_pending_events") == 200


@pytest.mark.django_db
def test_webhook_deliveries_are_counted_by_outcome(scrape, owner, settings):
    settings.NEXUS_OUTBOUND_ALLOW_LOOPBACK = True
    receiver = Receiver()
    try:
        webhook, _ = notifications.webhook_create(actor=owner, url=receiver.url, events=["mention"])
        before = scrape()
        for status in (200, 500, 503):
            receiver.status = status
            delivery = webhook.deliveries.create(event_id=uuid.uuid4(), event_name="mention")
            notifications.webhook_delivery_attempt(delivery_id=str(delivery.pk))
    finally:
        receiver.close()
    after = scrape()
    for outcome, count in {"succeeded": 1, "failed": 2}.items():
        name = "nexus_webhook_deliveries_total"
        assert value(after, name, outcome=outcome) - value(before, name, outcome=outcome) == count


@pytest.mark.django_db
def test_an_import_counts_its_files_and_items_but_a_dry_run_does_not(scrape, owner):
    def imported(found):
        return (
            value(found, "nexus_import_files_total", status="imported"),
            sum(v for (name, _), v in found.items() if name == "nexus_import_items_total"),
        )

    files_before, items_before = imported(scrape())
    source = sources.from_bytes(name="journal.md", data=JOURNAL.encode(), key="test:journal")
    run_import(owner=owner, source=source, dry_run=True)
    assert imported(scrape()) == (files_before, items_before)
    report = run_import(owner=owner, source=source)
    files_after, items_after = imported(scrape())
    assert files_after - files_before == 1
    assert items_after - items_before == sum(report["file_reports"][0]["counts"].values()) > 0
    figures.report(f"import metrics: 1 file, {items_after - items_before:.0f} items counted")


@pytest.mark.django_db
def test_each_search_is_timed(scrape, api_client):
    name = "nexus_search_duration_seconds_count"
    before = value(scrape(), name)
    for q in ("django", "celery retries"):
        assert api_client.get("/api/v1/search/", {"q": q}).status_code == 200
    after = scrape()
    assert value(after, name) - before == 2
    assert value(after, "nexus_search_duration_seconds_bucket", le="+Inf") == value(after, name)


@pytest.mark.django_db
def test_every_database_query_is_timed_and_a_failing_one_counted(scrape):
    name = "nexus_db_query_duration_seconds_count"
    before = scrape()
    for _ in range(5):
        User.objects.exists()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    after = scrape()
    # The scrape's own queries (outbox, week's activity) add a few more.
    assert value(after, name, alias="default") - value(before, name, alias="default") >= 6
    errors = "nexus_db_query_errors_total"
    assert value(after, errors, alias="default") - value(before, errors, alias="default") == 1


@pytest.mark.django_db
def test_every_redis_cache_call_is_timed_by_alias_and_operation(scrape, settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the caches are in memory, with nothing to time")
    name = "nexus_cache_operation_duration_seconds_count"
    before = scrape()
    caches["best_effort"].set("metrics-test", 1, 30)
    for _ in range(3):
        caches["best_effort"].get("metrics-test")
    caches["default"].get_many(["metrics-test", "other"])
    after = scrape()
    for cache, operation, count in [
        ("best_effort", "set", 1),
        ("best_effort", "get", 3),
        ("default", "get_many", 1),
    ]:
        labels = {"cache": cache, "operation": operation}
        assert value(after, name, **labels) - value(before, name, **labels) == count, labels


@pytest.mark.django_db
def test_the_weeks_activity_counts_what_happened_in_the_last_7_days_only(
    scrape, owner, mentor, request
):
    # The mentorship tests' fixtures: a learner with a milestone, in a cohort with a rubric.
    milestone, its_learner = request.getfixturevalue("progress"), request.getfixturevalue("learner")
    old = UserFactory()
    User.objects.filter(pk=old.pk).update(date_joined=clock.now() - timedelta(days=8))
    article_create(author=owner, title="Published", body="Body", status="published")
    article_create(author=owner, title="A draft", body="Body")
    challenge = challenge_create(author=owner, title="A challenge", body="Why?")
    solution_create(challenge=challenge, author=mentor, body="Because.")
    milestone_submit(progress=milestone, actor=its_learner, note="Done")
    milestone_review(progress=milestone, reviewer=mentor, decision="approved", scores=GOOD_SCORES)
    metrics.weekly_activity.forget()
    found = scrape()
    week = {
        activity: value(found, "nexus_weekly_activity", activity=activity)
        for activity in ("signups", "articles_published", "challenges_answered")
    } | {
        "milestones_reviewed": value(found, "nexus_weekly_activity", activity="milestones_reviewed")
    }
    recent_users = User.objects.exclude(pk=old.pk).count()
    assert week == {
        "signups": recent_users,
        "articles_published": 1,
        "challenges_answered": 1,
        "milestones_reviewed": 1,
    }
    figures.report(f"weekly activity metric: {week}")


@pytest.mark.django_db
def test_the_weeks_activity_is_counted_once_a_minute_however_often_it_is_scraped(
    scrape, django_assert_max_num_queries
):
    metrics.weekly_activity.forget()
    scrape()
    UserFactory()
    with django_assert_max_num_queries(1):  # the outbox's query; the activity is remembered
        found = scrape()
    assert value(found, "nexus_weekly_activity", activity="signups") == 0


@pytest.fixture
def broker_queue(monkeypatch):
    """Celery sending to a queue of its own on the test broker, as a deployment does."""
    queue = send_to_a_queue_of_our_own(monkeypatch)
    yield queue
    delete_queue(queue)


@pytest.mark.services
@pytest.mark.django_db
def test_the_queue_depth_is_what_waits_in_celerys_queue_on_the_broker(scrape, broker_queue):
    assert value(scrape(), "nexus_celery_queue_messages", queue=broker_queue) == 0
    with current_app.connection_for_write() as conn:
        conn.default_channel.queue_declare(queue=broker_queue, durable=True, auto_delete=False)
        producer = conn.Producer()
        for number in range(3):
            producer.publish({"n": number}, routing_key=broker_queue)
    assert value(scrape(), "nexus_celery_queue_messages", queue=broker_queue) == 3
    figures.report(f"queue depth metric: 3 messages waiting in {broker_queue}, read off the broker")


@pytest.mark.django_db
def test_a_broker_that_does_not_answer_leaves_the_queue_depth_out_not_the_scrape(
    scrape, monkeypatch
):
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setitem(
        current_app.conf, "broker_url", f"amqp://guest:guest@127.0.0.1:{servers.free_port()}//"
    )
    found = scrape()
    assert not [name for name, _ in found if name == "nexus_celery_queue_messages"]
    assert value(found, "nexus_outbox_pending_events") == 0


# --- A real worker's exporter -----------------------------------------------------------------


@pytest.fixture
def exporting_worker(transactional_db, monkeypatch, tmp_path):
    """A prefork worker (two pool processes) serving its counters on a port, multiprocess mode."""
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need the test database on PostgreSQL")
    queue = send_to_a_queue_of_our_own(monkeypatch)
    port = servers.free_port()
    (tmp_path / "prometheus").mkdir()
    worker = Worker(
        queue,
        "metrics",
        {
            "NEXUS_WORKER_METRICS_PORT": str(port),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        },
        options=("--pool=prefork", "--concurrency=2", "--include=tests.core.poison_tasks"),
    )
    yield port, tmp_path / "tries"
    worker.stop()
    delete_queue(queue)


@pytest.mark.services
def test_a_workers_exporter_counts_the_retries_and_the_failure_of_its_pool_processes(
    exporting_worker,
):
    port, tries = exporting_worker
    task = poison_tasks.always_raises

    def worker_samples():
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            return samples(response.read().decode())

    task.delay(str(tries))
    wait_until(
        lambda: value(worker_samples(), "nexus_task_failures_total", task=task.name) == 1,
        what="the failure on the worker's exporter",
    )
    found = worker_samples()
    assert value(found, "nexus_task_retries_total", task=task.name) == poison_tasks.TRIES
    assert value(found, "nexus_task_runs_total", task=task.name) == poison_tasks.TRIES + 1
    figures.report(
        f"worker exporter: {task.name} {poison_tasks.TRIES + 1} runs, {poison_tasks.TRIES} "
        "retries, 1 failure, "
        "added up across the pool processes"
    )
