"""Nexus's own Prometheus metrics, beside django-prometheus's request metrics on /metrics.

The alert rules in deploy/monitoring/alerts.yml and the dashboards in deploy/monitoring/grafana read
them. Counters are bumped where the thing happens (webhook deliveries, imports, task failures,
database queries); figures that live elsewhere are read at scrape time by collectors: the outbox
(one indexed query per scrape), the Celery queue depth (one passive declare per queue, asked of
the broker) and the week's activity (four COUNTs, cached for a minute). The database and broker
figures are the same on every replica, so dashboards and alerts take max() of them, never sum().
The cache's timings are in nexus.core.cache.

Celery workers serve no /metrics: a worker started with NEXUS_WORKER_METRICS_PORT serves its own
exporter on that port, and with PROMETHEUS_MULTIPROC_DIR set (a directory of its own) it adds up
the counters of every pool process (docs/operations.md, "Monitoring").
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from celery import current_app
from celery.signals import task_failure, task_prerun, task_retry, worker_init
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Min
from kombu.exceptions import OperationalError as BrokerUnreachable
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
db_query_seconds = Histogram(
    "nexus_db_query_duration_seconds",
    "Time a database query took (errors included), by connection alias.",
    ["alias"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
db_query_errors = Counter(
    "nexus_db_query_errors", "Database queries that raised, by connection alias.", ["alias"]
)


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


QUEUE_HELP = "Messages waiting in a Celery queue that no worker has taken yet."
# Every replica asks on every scrape: a broker that hangs must not hold the scrape.
BROKER_TIMEOUT_SECONDS = 2


class QueueDepthCollector(Collector):
    """How many messages wait in each queue Celery sends to, asked of the broker by a passive
    declare (it reads the count and changes nothing). The same figure on every replica.

    RabbitMQ's own exporter (the rabbitmq_prometheus plugin) says the same where it is enabled;
    this works with any broker Celery speaks to, and in the native topology, which has no plugin.
    """

    def describe(self) -> Iterable[GaugeMetricFamily]:
        yield GaugeMetricFamily("nexus_celery_queue_messages", QUEUE_HELP, labels=["queue"])

    def collect(self) -> Iterable[GaugeMetricFamily]:
        conf = current_app.conf
        if conf.task_always_eager or not conf.broker_url:
            return  # tasks run in the caller: there is no queue to measure
        family = GaugeMetricFamily("nexus_celery_queue_messages", QUEUE_HELP, labels=["queue"])
        # Lazy: nothing connects before ensure_connection().
        connection = current_app.connection_for_read()
        unreachable: tuple[type[BaseException], ...] = (
            BrokerUnreachable,
            OSError,
            *connection.connection_errors,
        )
        try:
            connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            for queue in celery_queue_names():
                family.add_metric([queue], _waiting_messages(connection, queue))
        except unreachable:
            logger.warning("queue depth skipped: the broker did not answer", exc_info=True)
            return
        finally:
            connection.release()
        yield family


def _waiting_messages(connection: Any, queue: str) -> int:
    channel = connection.channel()
    try:
        _, messages, _ = channel.queue_declare(queue=queue, passive=True)
        return messages
    except connection.channel_errors:
        # Not declared yet (no worker has started on it): nothing waits there.
        return 0
    finally:
        try:
            channel.close()
        except (*connection.channel_errors, *connection.connection_errors):
            pass  # a failed passive declare has already closed the channel on the broker's side


def celery_queue_names() -> list[str]:
    """The queues Celery sends tasks to: the default one and any configured beside it."""
    conf = current_app.conf
    names = [conf.task_default_queue]
    names += [queue.name for queue in conf.task_queues or ()]
    return list(dict.fromkeys(names))


WEEKLY_HELP = "What people did in the last 7 days (sign-ups, articles published, ...)."
WEEKLY_CACHE_SECONDS = 60.0
# (activity label, model, the timestamp that says when it happened, other filters). Models are
# looked up by label through the app registry: core imports no feature app.
WEEKLY_ACTIVITIES: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("signups", "accounts.User", "date_joined", {}),
    ("articles_published", "knowledge.Article", "published_at", {"status": "published"}),
    ("challenges_answered", "challenges.Solution", "created_at", {}),
    ("milestones_reviewed", "mentorship.MilestoneReview", "created_at", {}),
)


class WeeklyActivityCollector(Collector):
    """The business view: how many sign-ups, published articles, answers to challenges and
    milestone reviews the last 7 days saw. Four COUNTs, kept for a minute so that frequent scrapes
    (and every replica) cost the database four small queries a minute each, each served by an
    index on the date it counts by."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counted_at = -WEEKLY_CACHE_SECONDS
        self._counts: dict[str, int] = {}

    def forget(self) -> None:
        """Count afresh at the next scrape (tests)."""
        with self._lock:
            self._counted_at = -WEEKLY_CACHE_SECONDS

    def describe(self) -> Iterable[GaugeMetricFamily]:
        yield GaugeMetricFamily("nexus_weekly_activity", WEEKLY_HELP, labels=["activity"])

    def collect(self) -> Iterable[GaugeMetricFamily]:
        with self._lock:
            if time.monotonic() - self._counted_at >= WEEKLY_CACHE_SECONDS:
                try:
                    self._counts = weekly_activity_counts()
                except DatabaseError:
                    logger.warning("weekly activity skipped: the database did not answer")
                    return
                self._counted_at = time.monotonic()
            counts = dict(self._counts)
        family = GaugeMetricFamily("nexus_weekly_activity", WEEKLY_HELP, labels=["activity"])
        for activity, count in counts.items():
            family.add_metric([activity], count)
        yield family


def weekly_activity_counts() -> dict[str, int]:
    since = clock.now() - timedelta(days=7)
    return {
        activity: apps.get_model(model)
        ._default_manager.filter(**filters, **{f"{field}__gte": since})
        .count()
        for activity, model, field, filters in WEEKLY_ACTIVITIES
    }


def time_queries(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """An execute wrapper (Django's database instrumentation) that times every query."""
    alias = context["connection"].alias
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    except DatabaseError:
        db_query_errors.labels(alias=alias).inc()
        raise
    finally:
        db_query_seconds.labels(alias=alias).observe(time.perf_counter() - started)


def time_connection_queries(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """connection_created receiver: time every query of each new connection."""
    if time_queries not in connection.execute_wrappers:
        connection.execute_wrappers.append(time_queries)


_outbox_collector = OutboxCollector()
_queue_collector = QueueDepthCollector()
weekly_activity = WeeklyActivityCollector()
_registered = False


def register_collectors() -> None:
    """Add the scrape-time collectors to the default registry, once per process."""
    global _registered
    if not _registered:
        REGISTRY.register(_outbox_collector)
        REGISTRY.register(_queue_collector)
        REGISTRY.register(weekly_activity)
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
