"""A release rolls onto the native topology without a failed request (deploy/local/roll).

Load runs through nginx for the whole release: page views, API reads and signed-in writes from a
few threads, one fresh connection a request (as many clients as requests: nothing is hidden by a
connection that happened to stay on one replica). Meanwhile, in the order a release does them:

1. migration: an expand migration is applied while the old code serves. It is real DDL on the
   hottest table the load uses (knowledge_article: a nullable column, then an index built
   CONCURRENTLY), from tests/deploy/rollout_probe, an app only this test's `manage.py migrate`
   loads: the running replicas never import it, exactly as old code does not know a new
   release's migration. Reversing it afterwards is the contract step and the cleanup.
2. roll: `deploy/local/roll --migrate` (no further migration is pending, so it runs the whole
   script as a release would) takes each replica out of nginx's rotation, stops it gracefully,
   starts it again and puts it back once /readyz answers.

Every answer must be the expected 2xx, with no connection error, and both replicas must be new
processes. Figures per phase (before, migration, roll, after) go to the run's summary.
Runs when NEXUS_TOPOLOGY_TEST=1 (.ci/run sets it), on the session's topology (tests/deploy/topology.py,
shared with test_local_topology.py).
"""

import http.client
import json
import os
import statistics
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field

import psycopg
import pytest

from tests import figures
from tests.deploy.topology import (
    NGINX_TLS_PORT,
    ROOT,
    RUN_DIR,
    api_token,
    create_user,
    local_ca_context,
    manage,
    require_topology_test,
    topology_env,
)

require_topology_test(
    "the rolling-restart test starts the native topology (PostgreSQL, Redis, RabbitMQ, nginx, "
    "gunicorn, Celery)"
)

pytestmark = pytest.mark.services

LOAD_THREADS = 3
# Between one client's requests: enough load that every moment of the roll sees requests (a few
# dozen a second), not so much that the two cores spend the roll serving it instead of booting
# the new replicas.
THINK_SECONDS = 0.1
STEADY_SECONDS = 3  # of load before the release starts and after it ends
REQUEST_TIMEOUT_SECONDS = 30
ROLL_TIMEOUT_SECONDS = 240
PHASES = ("before", "migration", "roll", "after")


@dataclass
class Outcome:
    phase: str
    request: str
    seconds: float
    failure: str | None  # None when the answer was the expected one


@dataclass
class LoadGenerator:
    token: str
    phase: str = "before"
    outcomes: list[Outcome] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def requests(self, worker: int):
        """What one client does, over and over: a replica's health, a page nginx cannot have
        cached (a query string of its own), a signed-in API read (never cached) and a write."""
        bearer = {"Authorization": f"Bearer {self.token}"}
        count = 0
        while True:
            count += 1
            yield "GET /healthz", "GET", "/healthz", None, {}, 200
            yield "GET /articles/", "GET", f"/articles/?load={worker}-{count}", None, {}, 200
            yield "GET /api/v1/articles/", "GET", "/api/v1/articles/", None, bearer, 200
            body = {"title": f"Rolling {worker}-{count} {uuid.uuid4().hex[:6]}", "body": "Load."}
            headers = {**bearer, "Content-Type": "application/json"}
            yield "POST /api/v1/articles/", "POST", "/api/v1/articles/", body, headers, 201

    def run(self, worker: int) -> None:
        for label, method, path, payload, headers, expected in self.requests(worker):
            if self.stop.is_set():
                return
            phase = self.phase
            started = time.monotonic()
            failure = None
            connection = http.client.HTTPSConnection(
                "127.0.0.1",
                NGINX_TLS_PORT,
                timeout=REQUEST_TIMEOUT_SECONDS,
                context=local_ca_context(),
            )
            try:
                data = json.dumps(payload).encode() if payload is not None else None
                connection.request(method, path, body=data, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != expected:
                    failure = f"{response.status} (expected {expected})"
            except (OSError, http.client.HTTPException) as error:
                failure = f"{type(error).__name__}: {error}"
            finally:
                connection.close()
            with self.lock:
                self.outcomes.append(Outcome(phase, label, time.monotonic() - started, failure))
            self.stop.wait(THINK_SECONDS)


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def phase_figures(phase: str, outcomes: list[Outcome], seconds: float) -> str:
    latencies = sorted(outcome.seconds * 1000 for outcome in outcomes)
    failed = sum(outcome.failure is not None for outcome in outcomes)
    writes = sum(outcome.request.startswith("POST") for outcome in outcomes)
    return (
        f"  {phase:<9} {seconds:5.1f} s: {len(outcomes):4} requests ({writes} writes), "
        f"{failed} failed, {len(outcomes) / seconds:5.1f} req/s, "
        f"p50 {statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
        f"max {latencies[-1]:.0f} ms"
    )


def manage_probe(*arguments: str) -> None:
    """manage.py with the topology's environment and the probe app installed."""
    manage(
        *arguments,
        "--noinput",
        env={"DJANGO_SETTINGS_MODULE": "tests.deploy.rollout_probe.settings"},
        timeout=180,
    )


def probe_schema() -> tuple[bool, bool]:
    """(the probe column exists, its index is valid) in the topology's database."""
    with psycopg.connect(topology_env()["DATABASE_URL"]) as connection:
        column = connection.execute(
            "SELECT 1 FROM information_schema.columns"
            " WHERE table_name = 'knowledge_article' AND column_name = 'rollout_probe'"
        ).fetchone()
        index = connection.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('rollout_probe_idx')"
        ).fetchone()
    return column is not None, bool(index and index[0])


def replica_pids() -> dict[str, int]:
    return {name: int((RUN_DIR / f"{name}.pid").read_text()) for name in ("web-1", "web-2")}


def roll(load: LoadGenerator) -> tuple[float, list[str]]:
    """Run deploy/local/roll --migrate; the load's phase becomes "roll" as it starts."""
    load.phase = "roll"
    started = time.monotonic()
    process = subprocess.Popen(
        [str(ROOT / "deploy/local/roll"), "--migrate"],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=ROLL_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        pytest.fail(f"deploy/local/roll took over {ROLL_TIMEOUT_SECONDS}s:\n{output}")
    assert process.returncode == 0, output
    return time.monotonic() - started, output.splitlines()


@pytest.mark.usefixtures("topology")
def test_a_migration_and_a_rolling_restart_under_load_fail_no_request():
    manage_probe("migrate", "rollout_probe", "zero")  # a clean start after an aborted run
    address = f"roller-{uuid.uuid4().hex[:12]}@example.com"
    password = f"Rolling-{uuid.uuid4().hex}"
    create_user(address, password)
    load = LoadGenerator(token=api_token(address, password))
    pids_before = replica_pids()
    durations: dict[str, float] = {}

    threads = [threading.Thread(target=load.run, args=(n,)) for n in range(LOAD_THREADS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(STEADY_SECONDS)
        durations["before"] = STEADY_SECONDS

        load.phase = "migration"
        started = time.monotonic()
        manage_probe("migrate", "rollout_probe")
        durations["migration"] = time.monotonic() - started

        durations["roll"], roll_log = roll(load)

        load.phase = "after"
        time.sleep(STEADY_SECONDS)
        durations["after"] = STEADY_SECONDS
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT_SECONDS + 5)
        schema_after_expand = probe_schema()
        manage_probe("migrate", "rollout_probe", "zero")

    pids_after = replica_pids()
    by_phase = {phase: [o for o in load.outcomes if o.phase == phase] for phase in PHASES}
    failures = [o for o in load.outcomes if o.failure is not None]
    figures.report(
        "\n".join(
            [
                f"rolling restart under load ({LOAD_THREADS} clients through nginx, a fresh "
                f"connection a request, {THINK_SECONDS:.1f} s apart): {len(load.outcomes)} requests, {len(failures)} failed; "
                f"roll {durations['roll']:.1f} s, "
                f"web-1 pid {pids_before['web-1']} -> {pids_after['web-1']}, "
                f"web-2 pid {pids_before['web-2']} -> {pids_after['web-2']}",
                *(
                    f"  {line.removeprefix('[nexus-local] ')}"
                    for line in roll_log
                    if "rolled" in line
                ),
                *(
                    phase_figures(phase, by_phase[phase], durations[phase])
                    for phase in PHASES
                    if by_phase[phase]
                ),
            ]
        )
    )

    assert not failures, [(o.phase, o.request, o.failure) for o in failures[:20]]
    assert all(by_phase[phase] for phase in PHASES), {p: len(o) for p, o in by_phase.items()}
    assert sum(o.request.startswith("POST") for o in by_phase["roll"]) > 0
    assert schema_after_expand == (True, True), "the expand migration did not apply"
    assert pids_after["web-1"] != pids_before["web-1"]
    assert pids_after["web-2"] != pids_before["web-2"]
    assert any("rolled web-1: pid" in line for line in roll_log), roll_log
    assert any("rolled web-2: pid" in line for line in roll_log), roll_log
    assert probe_schema() == (False, False), "the contract step left the probe behind"
