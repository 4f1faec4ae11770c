"""Nexus's own Prometheus metrics, beside django-prometheus's request metrics on /metrics.

The alert rules in deploy/monitoring/alerts.yml read them. Counters are bumped where the thing
happens (webhook deliveries, imports, task failures); the outbox figures are read at scrape time
by a collector, one indexed query per scrape.

Celery workers serve no /metrics: a worker started with NEXUS_WORKER_METRICS_PORT serves its own
exporter on that port, and with PROMETHEUS_MULTIPROC_DIR set (a directory of its own) it adds up
the counters of every pool process (docs/operations.md, "Monitoring").
"""

import logging
from collections.abc import Iterable
from typing import Any

from celery.signals import task_failure, task_prerun, task_retry, worker_init
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from nexus.core import clock
from nexus.core.models import OutboxEvent

logger = logging.getLogger(__name__)

webhook_deliveries = Counter(
    "nexus_webhook_deliveries",
    "Webhook delivery attempts, by outcome (succeeded or failed).",
    ["outcome"],
)
imported_files = Counter(
    "nexus_import_files",
    "Files an import wrote (dry runs excluded), by status: imported, unchanged, skipped, failed.",
    ["status"],
)
imported_items = Counter(
    "nexus_import_items",
    "Items an import wrote (dry runs excluded), by action: created, updated, unchanged, ...",
    ["action"],
)
search_seconds = Histogram(
    "nexus_search_duration_seconds",
    "Time the search selector took to answer a query.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
task_runs = Counter(
    "nexus_task_runs", "Celery task runs started (each retry is a run), by task.", ["task"]
)
task_failures = Counter(
    "nexus_task_failures", "Celery tasks that raised (retries excluded), by task.", ["task"]
)
task_retries = Counter("nexus_task_retries", "Celery task retries, by task.", ["task"])


PENDING_HELP = "Outbox events not yet handed over to Celery."
OLDEST_HELP = "Age of the oldest outbox event not yet handed over (0 when none waits)."


class OutboxCollector(Collector):
    """How many events wait to be handed to Celery, and how long the oldest has waited."""

    def describe(self) -> Iterable[GaugeMetricFamily]:
        # Without it, registering would call collect() and query the database at start-up.
        yield GaugeMetricFamily("nexus_outbox_pending_events", PENDING_HELP)
        yield GaugeMetricFamily("nexus_outbox_oldest_pending_seconds", OLDEST_HELP)

    def collect(self) -> Iterable[GaugeMetricFamily]:
        try:
            # Served by the partial index on pending events (core_outbox_pending_idx).
            pending = OutboxEvent.objects.filter(handed_over_at__isnull=True).aggregate(
                count=Count("pk"), oldest=Min("created_at")
            )
        except DatabaseError:
            # The replica is still up: /readyz and the database's own alerts say what is wrong.
            logger.warning("outbox metrics skipped: the database did not answer", exc_info=True)
            return
        oldest = pending["oldest"]
        age = (clock.now() - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "nexus_outbox_pending_events",
            PENDING_HELP,
            value=pending["count"],
        )
        yield GaugeMetricFamily(
            "nexus_outbox_oldest_pending_seconds",
            OLDEST_HELP,
            value=max(age, 0.0),
        )


_outbox_collector = OutboxCollector()
_registered = False


def register_collectors() -> None:
    """Add the scrape-time collectors to the default registry, once per process."""
    global _registered
    if not _registered:
        REGISTRY.register(_outbox_collector)
        _registered = True


@task_prerun.connect(dispatch_uid="nexus.metrics.task_prerun")
def _count_task_run(sender: Any = None, **kwargs: Any) -> None:
    task_runs.labels(task=getattr(sender, "name", "unknown")).inc()


@task_failure.connect(dispatch_uid="nexus.metrics.task_failure")
def _count_task_failure(sender: Any = None, **kwargs: Any) -> None:
    task_failures.labels(task=getattr(sender, "name", "unknown")).inc()


@task_retry.connect(dispatch_uid="nexus.metrics.task_retry")
def _count_task_retry(sender: Any = None, **kwargs: Any) -> None:
    task_retries.labels(task=getattr(sender, "name", "unknown")).inc()


def worker_registry() -> CollectorRegistry:
    """What a worker's exporter serves: every pool process's counters in multiprocess mode."""
    if settings.PROMETHEUS_MULTIPROC_DIR:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
        return registry
    return REGISTRY


def serve_worker_metrics(port: int) -> None:
    """Serve the worker's metrics on the port, from its main process."""
    start_http_server(port, registry=worker_registry())
    logger.info("worker metrics on port %s", port)


@worker_init.connect(dispatch_uid="nexus.metrics.worker_init")
def _start_worker_exporter(**kwargs: Any) -> None:
    if settings.NEXUS_WORKER_METRICS_PORT:
        serve_worker_metrics(settings.NEXUS_WORKER_METRICS_PORT)
