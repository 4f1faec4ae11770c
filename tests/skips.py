"""Skips are visible: one summary line everywhere, and in CI a skip fails the run unless allowed.

A skip is how a test says "I could not run here". On a laptop that is normal (no ../shared, no
RabbitMQ); in CI every service and corpus is there, so a skip there means a test silently stopped
testing. With CI=true a skipped test whose reason is not in ALLOWED_IN_CI fails the run, and the
allow-list is printed at the end with why each entry may skip.
"""

import os
import re
from collections import Counter

import pytest

# reason (a regular expression searched in the skip reason) -> why CI may skip it
ALLOWED_IN_CI: dict[str, str] = {
    r"^SQLite serialises writers": (
        "the lost-update race needs two writers at once; it runs whenever DATABASE_URL is "
        "PostgreSQL, which CI always sets"
    ),
    r"^Chapa's test mode runs only with CHAPA_TEST_SECRET_KEY": (
        "the Chapa contract cases against api.chapa.co need a test-mode key and the internet; "
        "the same cases ran against the local Chapa test server (tests/payments/test_chapa_contract.py)"
    ),
}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return text.removeprefix("Skipped: ").strip()


def allowed_in_ci(reason: str) -> bool:
    return any(re.search(pattern, reason) for pattern in ALLOWED_IN_CI)


class SkipLedger:
    """Every skip of the run, as the controlling process sees the reports (xdist included)."""

    def __init__(self, ci: bool) -> None:
        self.ci = ci
        self.skips: list[tuple[str, str]] = []

    @property
    def unexpected(self) -> list[tuple[str, str]]:
        return [(node, reason) for node, reason in self.skips if not allowed_in_ci(reason)]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skips.append((report.nodeid, skip_reason(report)))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # A module that skips itself while being collected (pytest.skip(allow_module_level=True)).
        if report.skipped:
            self.skips.append((report.nodeid, skip_reason(report)))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.ci and self.unexpected and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        by_reason = Counter(reason for _, reason in self.skips)
        summary = "; ".join(f"{count}x {reason}" for reason, count in by_reason.most_common())
        terminalreporter.write_line(
            f"skips: {len(self.skips)}" + (f": {summary}" if summary else "")
        )
        if not self.ci:
            return
        terminalreporter.section("skips allowed in CI (tests/skips.py)", sep="-")
        for pattern, why in ALLOWED_IN_CI.items():
            terminalreporter.write_line(f"{pattern}  — {why}")
        if self.unexpected:
            terminalreporter.section("skipped in CI without being allowed: the run fails", sep="!")
            for node, reason in self.unexpected:
                terminalreporter.write_line(f"{node}: {reason}", red=True)


def register(config: pytest.Config) -> None:
    """Install the ledger in the controlling process (xdist workers only forward reports)."""
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(SkipLedger(ci=in_ci()), "nexus-skip-ledger")
