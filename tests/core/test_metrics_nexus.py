"""Nexus's own metrics on /metrics after doing the thing: outbox lag, webhook deliveries, imports,
search latency; and a real prefork worker's task failures and retries on its own exporter port."""

import urllib.request
import uuid
from datetime import timedelta

import pytest
from celery import current_app
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from nexus.core import clock
from nexus.core.models import OutboxEvent
from nexus.importer import sources
from nexus.importer.pipeline import run_import
from nexus.notifications import services as notifications
from tests import figures, servers
from tests.core import poison_tasks
from tests.importer.journals import JOURNAL
from tests.notifications.conftest import Receiver
from tests.notifications.test_broker_delivery import (
    BROKER_URL,
    Worker,
    drop_broker_connections,
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


# --- A real worker's exporter -----------------------------------------------------------------


@pytest.fixture
def exporting_worker(transactional_db, monkeypatch, tmp_path):
    """A prefork worker (two pool processes) serving its counters on a port, multiprocess mode."""
    if not BROKER_URL:
        pytest.skip("NEXUS_TEST_BROKER_URL is not set")
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need the test database on PostgreSQL")
    queue = f"nexus-test-{uuid.uuid4().hex[:10]}"
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setitem(current_app.conf, "broker_url", BROKER_URL)
    monkeypatch.setitem(current_app.conf, "task_default_queue", queue)
    drop_broker_connections()
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
    with current_app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)
    drop_broker_connections()


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
