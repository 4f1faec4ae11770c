"""Shared fixtures: an owner / other user / mentor / admin set, API clients for each, and the clock."""

import datetime as dt
import gc
import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import time_machine
from django.apps import apps
from django.core.management.color import no_style
from django.db import connections, transaction
from django.db.models import Model
from django.db.models.signals import post_migrate
from rest_framework.test import APIClient

from nexus.accounts.jwt import refresh_token_for
from nexus.accounts.models import Role
from nexus.celery import app as celery_app
from nexus.core import clock as nexus_clock
from tests import clock, figures, skips
from tests.chapa import _chapa_test_server, chapa_sandbox  # noqa: F401 — fixtures for every module
from tests.factories import UserFactory
from tests.fuzz import harness as fuzz_harness

_SUITE_CLOCK = pytest.StashKey[tuple[time_machine.travel, str]]()


def pytest_configure(config: pytest.Config) -> None:
    skips.register(config)
    post_migrate.connect(
        _keep_seeded_rows_across_flushes,
        sender=apps.get_app_config("journal"),
        dispatch_uid="tests-keep-seeded-rows",
    )
    _give_each_xdist_worker_its_own_redis_database()
    _travel_to_the_suite_clock(config)
    _collect_garbage_less_often()


def _give_each_xdist_worker_its_own_redis_database() -> None:
    """Tests clear the cache (FLUSHDB) between them: workers sharing a database would race.
    Databases 1-14 are theirs; 15 is the native topology's (deploy/local/lib.sh)."""
    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    for cache in settings.CACHES.values():
        if worker and cache["BACKEND"].endswith("RedisCache"):
            database = int(worker.removeprefix("gw")) % 14 + 1
            cache["LOCATION"] = urlsplit(cache["LOCATION"])._replace(path=f"/{database}").geturl()


def _collect_garbage_less_often() -> None:
    """A test run builds millions of short-lived objects (ASTs, querysets, responses) on a heap that
    keeps growing; at the default thresholds the collector walks that heap again and again, which
    cost a sixth of the suite's time. The modules loaded so far never become garbage: freeze them."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)


def _travel_to_the_suite_clock(config: pytest.Config) -> None:
    """NEXUS_TEST_CLOCK moves the whole run to another day (tests/clock.py)."""
    chosen = clock.suite_moment()
    if chosen is None:
        return
    moment, how = chosen
    # xdist workers start after this and inherit the environment: they travel to the same moment.
    os.environ[clock.CLOCK_VARIABLE] = moment.isoformat()
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    config.stash[_SUITE_CLOCK] = (traveller, f"clock: {moment:%Y-%m-%d %H:%M} UTC ({how})")


def pytest_unconfigure(config: pytest.Config) -> None:
    if (chosen := config.stash.get(_SUITE_CLOCK, None)) is not None:
        chosen[0].stop()


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The long proofs over whole corpora run in `make verify`; the suite keeps its faster checks
    # of the same guards. Left out, not skipped: pytest counts them as deselected.
    if not os.environ.get("NEXUS_VERIFY"):
        proofs = [item for item in items if item.get_closest_marker("verify") is not None]
        if proofs:
            config.hook.pytest_deselected(items=proofs)
            items[:] = [item for item in items if item.get_closest_marker("verify") is None]
    # Tests that start real services (RabbitMQ workers, the native topology) run one after the
    # other on one xdist worker (make test runs with --dist loadgroup); so do the browser tests,
    # which then share one Chromium and one live server.
    for item in items:
        if item.get_closest_marker("services") is not None:
            item.add_marker(pytest.mark.xdist_group("services"))
        elif item.nodeid.startswith("tests/e2e/"):
            item.add_marker(pytest.mark.xdist_group("browser"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    fuzz_harness.write_summary(terminalreporter)
    figures.write_summary(terminalreporter)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    figures.attach(item)
    return (yield)


def pytest_report_header(config: pytest.Config) -> str:
    chosen = config.stash.get(_SUITE_CLOCK, None)
    return chosen[1] if chosen else "clock: real time (set NEXUS_TEST_CLOCK to run on another day)"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """On SQLite, a test database in a file (per xdist worker), as the embedded mode has: Django's
    default, a memory database shared between threads, answers "table is locked" at once to a
    second writer (a browser test's server thread and a webhook at the same moment), where a
    file waits for the other writer (WAL and the busy timeout in nexus/settings.py)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = tmp_path_factory.getbasetemp() / "nexus-test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture
def many_threads_queue_for_the_pool(transactional_db: None) -> Iterator[None]:
    """Threads beyond the pool's size in one process wait for a connection as long as it takes.

    A deployed process serves one request at a time (gunicorn's sync workers, Celery's pool
    processes), so its pool only waits when the database is down, and gives up after 3 s
    (nexus/settings.py). A test of a hundred concurrent clients in one process queues them."""
    from django.db import connection

    pool = connection.settings_dict["OPTIONS"].get("pool")
    if not pool:
        yield
        return
    before = pool.get("timeout")
    connection.close()
    connection.close_pool()
    pool["timeout"] = 120
    try:
        yield
    finally:
        connection.close()
        connection.close_pool()
        pool["timeout"] = before


@pytest.fixture(params=clock.AWKWARD_MOMENTS)
def awkward_moment(request, settings):
    """The test runs once on each awkward day, the clock stopped there, in that day's TIME_ZONE.

    Ask for it before other fixtures, so that what they create is dated on that day too.
    """
    moment: clock.Moment = request.param
    settings.TIME_ZONE = moment.time_zone
    with time_machine.travel(moment.instant, tick=False) as traveller:
        yield clock.Stopped(moment, traveller)


@pytest.fixture(params=clock.UPCOMING_AWKWARD_DAYS)
def upcoming_awkward_day(request) -> Iterator[dt.datetime]:
    """For browser tests: the test runs on the next awkward day after the suite's clock, the clock
    ticking from there (a browser's timers and cookies need time to pass and to stay ahead of its
    own clock). Ask for it before other fixtures, so what they create is dated on that day."""
    moment = clock.upcoming_awkward_moment(request.param, nexus_clock.now())
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture
def stopped_clock():
    """The clock stopped where the suite's clock stands; `.shift(timedelta)` moves it on. For
    outcomes that hang on a duration, not on the calendar (awkward_moment is for those)."""
    with time_machine.travel(nexus_clock.now(), tick=False) as traveller:
        yield traveller


# What the data migrations seed: the technology taxonomy, then the default program built on it.
SEEDED_MODELS = (
    "knowledge.TechnologyCategory",
    "knowledge.Technology",
    "knowledge.TechnologyAlias",
    "journal.Program",
    "journal.ProgramMonth",
    "journal.Milestone",
)
_seeded_rows: dict[str, list[tuple[type[Model], list[Model]]]] = {}


def _seeded_tables() -> list[type[Model]]:
    models = [apps.get_model(name) for name in SEEDED_MODELS]
    links = [
        field.remote_field.through
        for model in models
        for field in model._meta.local_many_to_many
        if field.remote_field.through._meta.auto_created
    ]
    return models + links


def _keep_seeded_rows_across_flushes(using: str, **kwargs: object) -> None:
    """Django's flush, which ends every transactional test, empties every table and then sends
    post_migrate. The first post_migrate (the test database's own migration) notes the seeded
    rows; each later one puts them back, so that the tests after a transactional one, in whatever
    order a parallel run gives them, still find the default program and the taxonomy."""
    if using not in _seeded_rows:
        _seeded_rows[using] = [
            (table, list(table.objects.using(using).order_by("pk"))) for table in _seeded_tables()
        ]
        return
    with transaction.atomic(using=using):
        for table, rows in _seeded_rows[using]:
            table.objects.using(using).bulk_create(rows)
        with connections[using].cursor() as cursor:
            tables = [table for table, _ in _seeded_rows[using]]
            for statement in connections[using].ops.sequence_reset_sql(no_style(), tables):
                cursor.execute(statement)


@pytest.fixture(autouse=True)
def inline_tasks():
    """Tests run tasks inline; broker tests start their own worker against RabbitMQ."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def fresh_cache():
    """Throttle counters and cached values never leak from one test into the next."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def owner(db):
    return UserFactory(display_name="Olivia Owner")


@pytest.fixture
def other_user(db):
    return UserFactory(display_name="Oscar Other")


@pytest.fixture
def mentor(db):
    return UserFactory(display_name="Maya Mentor", role=Role.MENTOR)


@pytest.fixture
def admin_user(db):
    return UserFactory(display_name="Ada Admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for():
    """An API client that sends the given user's access token, as a real client does (a forced
    authentication would look anonymous to everything in front of the view, the page cache too)."""

    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh_token_for(user).access_token}")
        return client

    return make


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a user; tests create hundreds, and hash strength is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def long_tasks_inline(settings):
    """Tasks marked runs_long run inline in tests too, like every other task, unless a test asks
    for embedded mode's background thread (the import progress tests do)."""
    settings.NEXUS_LONG_TASKS_IN_BACKGROUND = False


@pytest.fixture
def celery_broker(monkeypatch):
    """Point Celery at a broker URL for one test, with no pooled connection to the old one."""

    def use(url):
        monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        _drop_broker_connections()

    yield use
    _drop_broker_connections()


def _drop_broker_connections():
    celery_app.close()
    celery_app.amqp._producer_pool = None
