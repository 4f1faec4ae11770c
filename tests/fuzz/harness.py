"""What the fuzz tests share: their budgets, the counted in-process app, and the run's tallies."""

import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction

from tests import hostile
from tests.tiers import VERIFY

_THIS_MACHINE = {"127.0.0.1", "::1", "localhost"}

# make verify (NEXUS_VERIFY=1 pytest -m verify) runs the long budgets; make test and CI the short
# ones. The same tests serve both: marked `verify` only in that run, so make test keeps them.
MARKS = [pytest.mark.django_db, *([pytest.mark.verify] if VERIFY else [])]


@dataclass(frozen=True)
class Budget:
    rest_examples: int  # Hypothesis examples per REST operation in the fuzzing phase
    rest_coverage: bool  # schemathesis' coverage phase: boundary and negative values per parameter
    stateful_scenarios: int  # state machine runs, each a chain of linked calls
    stateful_steps: int  # calls at most in one chain
    graphql_queries: int  # generated queries, split between the query and the mutation type


BUDGET = (
    Budget(
        rest_examples=25,
        rest_coverage=True,
        stateful_scenarios=150,
        stateful_steps=10,
        graphql_queries=1200,
    )
    if VERIFY
    else Budget(
        rest_examples=2,
        rest_coverage=False,
        stateful_scenarios=10,
        stateful_steps=5,
        graphql_queries=100,
    )
)

# user_properties keys a fuzz test reports its tally with; the summary adds them up across
# xdist workers (user_properties travel with the reports).
REQUESTS = "fuzz_requests"
SERVER_ERRORS = "fuzz_server_errors"
OPERATIONS = "fuzz_operations"
SUITE = "fuzz_suite"


@dataclass
class Tally:
    """What one test sent and what came back."""

    requests: int = 0
    server_errors: list[str] = field(default_factory=list)
    operations: set[str] = field(default_factory=set)

    def report(self, node: pytest.Item, suite: str) -> None:
        node.user_properties.extend(
            [
                (SUITE, suite),
                (REQUESTS, self.requests),
                (SERVER_ERRORS, len(self.server_errors)),
                (OPERATIONS, sorted(self.operations)),
            ]
        )


StartResponse = Callable[..., Any]


class CountedApp:
    """Django's WSGI application as the fuzzers call it: counted, one savepoint a request.

    The savepoint is rolled back after a 5xx, so one failed request cannot poison the test's
    transaction for the requests after it (PostgreSQL refuses every statement in an aborted
    transaction). Like Django's test client, it keeps the request signals from closing the test's
    database connection.
    """

    def __init__(self) -> None:
        self.django = WSGIHandler()
        self.tally = Tally()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        self.tally.requests += 1
        answered: list[int] = []

        def remember_status(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            answered.append(int(status[:3]))
            return start_response(status, headers, exc_info)

        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            with transaction.atomic():
                response = self.django(environ, remember_status)
                content = b"".join(response)
                getattr(response, "close", lambda: None)()
                if answered and answered[-1] >= 500:
                    transaction.set_rollback(True)
                    self.tally.server_errors.append(
                        f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} -> {answered[-1]}"
                    )
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [content]


def refuse_outbound_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Generated URLs (webhooks, spec imports) must never reach the network: other names than
    this machine's resolve to a public address, and connections to anywhere but this machine fail."""
    real_resolve = socket.getaddrinfo
    real_connect = socket.socket.connect

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host in _THIS_MACHINE:
            return real_resolve(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (hostile.PUBLIC_ADDRESS, port or 0))]

    def connect(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else ""
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in _THIS_MACHINE:
            raise OSError(f"the fuzz tests connect nowhere but this machine, not to {host}")
        real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(socket.socket, "connect", connect)


def write_summary(terminal: pytest.TerminalReporter) -> None:
    """One line a fuzzer, its tallies added up over every test (and xdist worker) of the run."""
    totals: dict[str, Tally] = {}
    for reports in terminal.stats.values():
        for report in reports:
            properties = dict(getattr(report, "user_properties", ()))
            suite = properties.get(SUITE)
            if suite is None or getattr(report, "when", "") != "teardown":
                continue
            total = totals.setdefault(suite, Tally())
            total.requests += properties[REQUESTS]
            total.server_errors.extend(["?"] * properties[SERVER_ERRORS])
            total.operations.update(properties[OPERATIONS])
    for suite, total in sorted(totals.items()):
        terminal.write_line(SUMMARIES[suite](total))


SUMMARIES: dict[str, Callable[[Tally], str]] = {
    "schemathesis": lambda total: (
        f"schemathesis: {total.requests} requests, {len(total.operations)} operations, "
        f"{len(total.server_errors)} server errors"
    ),
    "graphql": lambda total: (
        f"graphql fuzz: {total.requests} queries, {len(total.server_errors)} server errors "
        f"({len(total.operations)} root fields)"
    ),
}
