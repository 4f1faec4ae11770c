"""The test harness itself: the suite's clock switch, the skip ledger and xdist's grouping."""

import datetime as dt
import os

import pytest

from tests import clock, skips, tiers
from tests.tasks import run_task


def test_a_bare_date_moves_the_suite_to_noon_that_day():
    moment, how = clock.suite_moment("2027-02-28")
    assert moment == dt.datetime(2027, 2, 28, 12, tzinfo=dt.UTC)
    assert how == "NEXUS_TEST_CLOCK=2027-02-28"


def test_a_moment_with_an_offset_is_read_in_utc():
    moment, _ = clock.suite_moment("2028-12-31T23:30+03:00")
    assert moment == dt.datetime(2028, 12, 31, 20, 30, tzinfo=dt.UTC)


def test_a_seeded_random_day_is_repeatable_and_within_two_years():
    first, how = clock.suite_moment("random:1234")
    second, _ = clock.suite_moment("random:1234")
    assert first == second
    assert "random:1234" in how
    assert dt.timedelta(0) < first - dt.datetime.now(dt.UTC) < dt.timedelta(days=2 * 365 + 1)


def test_an_unset_clock_is_real_time():
    assert clock.suite_moment("") is None


@pytest.mark.parametrize(
    ("reason", "allowed"),
    [
        ("SQLite serialises writers; no race to lose", True),
        ("NEXUS_TEST_BROKER_URL is not set", False),
    ],
)
def test_only_listed_reasons_may_skip_in_ci(reason, allowed):
    assert skips.allowed_in_ci(reason) is allowed


@pytest.mark.services
def test_tests_that_start_services_share_one_xdist_worker(request):
    # xdist groups by a suffix on the node id; pytest 9.2 broke that silently (pyproject.toml).
    if os.environ.get("PYTEST_XDIST_WORKER") and request.config.getoption("dist") == "loadgroup":
        assert request.node.nodeid.endswith("@services")
    else:
        assert request.node.get_closest_marker("xdist_group").args == ("services",)


def test_make_test_samples_a_corpus_evenly_and_make_verify_reads_it_whole(monkeypatch):
    corpus = list(range(10))
    assert tiers.sample(corpus, 4) == [0, 3, 6, 9]
    assert tiers.sample(corpus, 1) == [0]
    assert tiers.sample(corpus, 20) == corpus
    monkeypatch.setattr(tiers, "VERIFY", True)
    assert tiers.sample(corpus, 4) == corpus


def test_a_task_run_from_a_test_returns_even_when_celery_left_its_join_guard_set():
    from celery import current_app
    from celery.result import denied_join_result

    accumulate = current_app.tasks["celery.accumulate"]  # returns its arguments
    with denied_join_result(), pytest.raises(RuntimeError, match="within a task"):
        accumulate.delay(1, 2).get()
    with denied_join_result():
        assert run_task(accumulate, 1, 2) == (1, 2)


@pytest.mark.parametrize(
    ("name", "after", "expected"),
    [
        ("first-of-month", "2027-12-31T23:55", "2028-01-01T00:20"),
        ("first-of-month", "2027-03-01T00:10", "2027-04-01T00:20"),
        ("last-of-month", "2027-02-10T08:00", "2027-02-28T23:40"),
        ("last-of-month", "2027-02-28T23:50", "2027-03-31T23:40"),
        ("29-february", "2026-12-07T09:00", "2028-02-29T12:00"),
        ("29-february", "2028-02-29T13:00", "2032-02-29T12:00"),
        ("new-years-eve", "2027-06-01T00:00", "2027-12-31T23:50"),
        ("new-years-eve", "2027-12-31T23:55", "2028-12-31T23:50"),
    ],
)
def test_the_upcoming_awkward_day_is_the_next_one_after_the_moment(name, after, expected):
    moment = dt.datetime.fromisoformat(after).replace(tzinfo=dt.UTC)
    found = clock.upcoming_awkward_moment(name, moment)
    assert found == dt.datetime.fromisoformat(expected).replace(tzinfo=dt.UTC)
    assert found > moment
