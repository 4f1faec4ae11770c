"""The Grafana dashboards of deploy/monitoring/grafana: valid JSON, unique panel ids, the
provisioned datasource, PromQL that promtool accepts; and, against a real Prometheus scraping a
live Nexus through a short load run, every panel's query returns data. The same data is drawn
into a preview of each dashboard (deploy/monitoring/preview, no Grafana here) and saved as
artifacts/dashboards/<dashboard>.png."""

import json
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from celery import current_app

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
from tests.deploy.test_monitoring import MONITORING, tool
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
    delete_queue,
    send_to_a_queue_of_our_own,
)

ROOT = MONITORING.parents[1]
GRAFANA = MONITORING / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
DATASOURCES = GRAFANA / "provisioning" / "datasources" / "prometheus.yaml"
PROVIDERS = GRAFANA / "provisioning" / "dashboards" / "nexus.yaml"
PREVIEW = MONITORING / "preview" / "index.html"
SCREENSHOTS = ROOT / "artifacts" / "dashboards"
TOKEN = "a-metrics-token-for-prometheus-0123456789"
SCRAPE_SECONDS = 1
LOAD_SECONDS = 8
# What Grafana puts in place of its variables, for a 1 s scrape: $__rate_interval is at least
# four scrape intervals; a longer window smooths the short load run's curves.
GRAFANA_VARIABLES = {"$__rate_interval": "10s", "$__interval": "1s", "$__range": "1m"}


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def dashboards() -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text()) for path in DASHBOARDS}


def promql(expr: str) -> str:
    """The expression as Prometheus gets it from Grafana: its variables substituted."""
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    assert "$" not in expr, f"a Grafana variable this test does not know: {expr}"
    return expr


def targets(board: dict) -> list[tuple[dict, dict]]:
    return [(panel, target) for panel in board["panels"] for target in panel.get("targets", [])]


# --- The files ------------------------------------------------------------------------------------


def test_there_are_the_http_backend_and_business_dashboards():
    assert set(dashboards()) == {"nexus-http", "nexus-backend", "nexus-business"}


@pytest.mark.parametrize("name", [path.stem for path in DASHBOARDS])
def test_a_dashboard_has_its_file_name_as_uid_unique_panel_ids_and_a_query_in_each_panel(name):
    board = dashboards()[name]
    assert board["uid"] == name
    assert board["title"].startswith("Nexus / ")
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids)), f"panel ids repeat: {sorted(ids)}"
    for panel in board["panels"]:
        assert panel["title"], panel["id"]
        assert panel["description"], panel["title"]
        assert panel["targets"], f"{panel['title']} has no query"
        ref_ids = [target["refId"] for target in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids)), panel["title"]
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]


def test_every_panel_reads_the_provisioned_prometheus_by_its_uid():
    [datasource] = load(DATASOURCES)["datasources"]
    assert datasource["type"] == "prometheus"
    expected = {"type": "prometheus", "uid": datasource["uid"]}
    for name, board in dashboards().items():
        for panel, target in targets(board):
            assert panel["datasource"] == expected, (name, panel["title"])
            assert target["datasource"] == expected, (name, panel["title"])


def test_every_expression_is_promql_promtool_accepts(tmp_path):
    # promtool parses a rule's expression: one recording rule per panel query.
    rules = [
        {
            "record": f"dashboard:{name.replace('-', '_')}:{panel['id']}_{target['refId']}".lower(),
            "expr": promql(target["expr"]),
        }
        for name, board in dashboards().items()
        for panel, target in targets(board)
    ]
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "d", "rules": rules}]}))
    checked = subprocess.run(
        [tool("promtool"), "check", "rules", str(tmp_path / "rules.yml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_compose_runs_grafana_with_the_provisioning_the_exporters_and_the_worker_exporter():
    compose = load(ROOT / "compose.yaml")
    services = compose["services"]
    grafana = services["grafana"]
    assert grafana["image"].startswith("grafana/grafana-oss:")
    environment = grafana["environment"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in grafana["volumes"]}
    assert mounts["/etc/grafana/provisioning"] == "./deploy/monitoring/grafana/provisioning"
    assert mounts[environment["NEXUS_GRAFANA_DASHBOARDS"]] == (
        "./deploy/monitoring/grafana/dashboards"
    )
    assert environment["NEXUS_PROMETHEUS_URL"] == "http://prometheus:9090"
    # The password is a secret, never a value in the file.
    [secret] = grafana["secrets"]
    assert environment["GF_SECURITY_ADMIN_PASSWORD__FILE"] == f"/run/secrets/{secret}"
    assert compose["secrets"][secret] == {"environment": "GRAFANA_ADMIN_PASSWORD"}
    assert "${NEXUS_PROMETHEUS_URL}" in DATASOURCES.read_text()
    assert load(PROVIDERS)["providers"][0]["options"]["path"] == "${NEXUS_GRAFANA_DASHBOARDS}"
    # Prometheus's jobs reach these services on their ports.
    scrape = load(MONITORING / "prometheus.yml")
    jobs = {job["job_name"]: job for job in scrape["scrape_configs"]}
    hosts = {
        target.split(":")[0]
        for job in jobs.values()
        for config in job.get("static_configs", [])
        for target in config["targets"]
    }
    assert {"node-exporter", "worker"} <= hosts <= set(services) | {"https"}
    blackbox = jobs["blackbox"]["relabel_configs"][-1]["replacement"].split(":")[0]
    assert blackbox in services
    assert "http_2xx" in load(MONITORING / "blackbox.yml")["modules"]
    worker = services["worker"]["environment"]
    assert worker["NEXUS_WORKER_METRICS_PORT"] == "9540"
    assert worker["PROMETHEUS_MULTIPROC_DIR"] in services["worker"]["tmpfs"]


# --- A load run -----------------------------------------------------------------------------------


def started_prometheus(tmp_path: Path, web_port: int) -> tuple[subprocess.Popen, int]:
    (tmp_path / "token").write_text(TOKEN)
    config = {
        "global": {"scrape_interval": f"{SCRAPE_SECONDS}s", "evaluation_interval": "1s"},
        "scrape_configs": [
            {
                "job_name": "nexus-web",
                "metrics_path": "/metrics",
                "authorization": {"type": "Bearer", "credentials_file": str(tmp_path / "token")},
                "static_configs": [{"targets": [f"localhost:{web_port}"]}],
            }
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = servers.free_port()
    prometheus = subprocess.Popen(
        [
            tool("prometheus"),
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return prometheus, port


def ask(prometheus_port: int, path: str, **params: str) -> dict:
    query = urllib.parse.urlencode(params)
    url = f"http://127.0.0.1:{prometheus_port}/api/v1/{path}?{query}"
    with urllib.request.urlopen(url, timeout=10) as response:
        answer = json.load(response)
    assert answer["status"] == "success", answer
    return answer["data"]


def wait_for_scrapes(prometheus_port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if ask(prometheus_port, "query", query='up{job="nexus-web"} == 1')["result"]:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("Prometheus did not scrape the live server within 30 s")


def get(url: str, *, data: bytes | None = None) -> int:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# Pages, the API, searches, a missing page and refused input: the routes a visitor exercises.
LOAD_REQUESTS = [
    ("/", None),
    ("/challenges/", None),
    ("/api/v1/articles/", None),
    ("/api/v1/search/?q=django", None),
    ("/api/v1/search/?q=celery+retries", None),
    ("/api/v1/challenges/", None),
    ("/no-such-page/", None),
    ("/api/v1/articles/", b'{"title": ""}'),
]


def run_load(base_url: str, until: float) -> dict[int, int]:
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client(number: int) -> None:
        index = number
        while time.monotonic() < until:
            path, data = LOAD_REQUESTS[index % len(LOAD_REQUESTS)]
            status = get(base_url + path, data=data)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
            index += 1

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(client, range(4)))
    return statuses


def background_work(monkeypatch, owner, tmp_path: Path) -> None:
    """What the backend panels show, done through the services: an import, webhook deliveries
    (one failing) and a task that fails after its retries."""
    source = sources.from_bytes(
        name="journal.md", data=JOURNAL.encode(), key=f"test:journal:{uuid.uuid4()}"
    )
    run_import(owner=owner, source=source)
    receiver = Receiver()
    try:
        webhook, _ = notifications.webhook_create(actor=owner, url=receiver.url, events=["mention"])
        for status in (200, 500, 200):
            receiver.status = status
            delivery = webhook.deliveries.create(event_id=uuid.uuid4(), event_name="mention")
            notifications.webhook_delivery_attempt(delivery_id=str(delivery.pk))
    finally:
        receiver.server.shutdown()
    # Run here, as a worker would run it (retries included, the failure kept in its result
    # rather than raised); the counters are this process's.
    monkeypatch.setitem(current_app.conf, "task_eager_propagates", False)
    outcome = poison_tasks.always_raises.apply(args=[str(tmp_path / "tries")], throw=False)
    assert outcome.failed()


def weeks_activity(request: pytest.FixtureRequest, owner, mentor) -> None:
    """Pending outbox events, and the week's activity: a sign-up, an article, an answer, a
    milestone review."""
    # Events the broker has not been handed yet, as during a broker hiccup: the outbox lag.
    OutboxEvent.objects.bulk_create([OutboxEvent(name="dashboards.pending") for _ in range(3)])
    OutboxEvent.objects.filter(name="dashboards.pending").update(
        created_at=clock.now() - timedelta(seconds=90)
    )
    UserFactory()
    article_create(author=owner, title="Dashboards", body="Panels.", status="published")
    challenge = challenge_create(author=owner, title="Which panel?", body="Why?")
    solution_create(challenge=challenge, author=mentor, body="The one with data.")
    milestone = request.getfixturevalue("progress")
    milestone_submit(progress=milestone, actor=request.getfixturevalue("learner"), note="Done")
    milestone_review(progress=milestone, reviewer=mentor, decision="approved", scores=GOOD_SCORES)
    metrics.weekly_activity.forget()


@pytest.fixture
def celery_queue(monkeypatch):
    """Celery sending to a queue of its own on the test broker, with nobody consuming it: the
    queue depth panel has something to show."""
    queue = send_to_a_queue_of_our_own(monkeypatch)
    with current_app.connection_for_write() as conn:
        conn.default_channel.queue_declare(queue=queue, durable=True, auto_delete=False)
        producer = conn.Producer()
        for number in range(5):
            producer.publish({"n": number}, routing_key=queue)
    yield queue
    delete_queue(queue)


def screenshot(page, name: str, board: dict, results: dict, caption: str) -> int:
    page.goto(PREVIEW.as_uri())
    missing = page.evaluate(
        "([board, results, caption]) => renderDashboard(board, results, caption)",
        [board, results, caption],
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    return missing


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_every_panel_has_data_after_a_load_run_and_each_dashboard_is_previewed(
    live_server, settings, celery_queue, owner, mentor, request, monkeypatch, tmp_path
):
    from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path, e2e_unavailable_reason

    if reason := e2e_unavailable_reason():
        pytest.skip(reason)
    settings.NEXUS_METRICS_TOKEN = TOKEN
    settings.NEXUS_OUTBOUND_ALLOW_LOOPBACK = True  # the webhook receiver is on this machine
    web_port = int(live_server.url.rsplit(":", 1)[1])
    prometheus, port = started_prometheus(tmp_path, web_port)
    try:
        wait_for_scrapes(port)
        started = time.time()
        weeks_activity(request, owner, mentor)
        # Twice, a load run between: a counter's first value makes its series, the second an
        # increase a rate can see.
        background_work(monkeypatch, owner, tmp_path)
        statuses = run_load(live_server.url, time.monotonic() + LOAD_SECONDS / 2)
        background_work(monkeypatch, owner, tmp_path)
        for status, count in run_load(live_server.url, time.monotonic() + LOAD_SECONDS / 2).items():
            statuses[status] = statuses.get(status, 0) + count
        time.sleep(2 * SCRAPE_SECONDS)  # the last requests' scrape
        ended = time.time()
        results: dict[str, dict[int, dict[str, list]]] = {}
        empty = []
        for name, board in dashboards().items():
            for panel, target in targets(board):
                rows = ask(
                    port,
                    "query_range",
                    query=promql(target["expr"]),
                    start=str(started),
                    end=str(ended),
                    step="1",
                )["result"]
                results.setdefault(name, {}).setdefault(panel["id"], {})[target["refId"]] = rows
                if not any(
                    value not in ("NaN", "+Inf", "-Inf")
                    for row in rows
                    for _, value in row["values"]
                ):
                    empty.append(f"{name} / {panel['title']} [{target['refId']}]: {target['expr']}")
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=30)
    assert not empty, "expressions without data after the load run:\n" + "\n".join(empty)

    from playwright.sync_api import sync_playwright

    caption = (
        f"Prometheus data, rendered without Grafana: a {ended - started:.0f} s load run against a live "
        f"Nexus ({sum(statuses.values())} requests), scraped every {SCRAPE_SECONDS} s"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            for name, board in dashboards().items():
                missing = screenshot(page, name, board, results[name], caption)
                assert missing == 0, f"{name}: {missing} panels drew no data"
            assert not errors, errors
        finally:
            browser.close()
    panels = sum(len(board["panels"]) for board in dashboards().values())
    queries = sum(len(targets(board)) for board in dashboards().values())
    figures.report(
        f"dashboards: {len(DASHBOARDS)} dashboards, {panels} panels, {queries} queries, every one "
        f"with data after a {ended - started:.0f} s load run ({sum(statuses.values())} requests, "
        f"statuses {dict(sorted(statuses.items()))}); previews in "
        + ", ".join(f"artifacts/dashboards/{path.stem}.png" for path in DASHBOARDS)
    )


# --- The native topology's Grafana --------------------------------------------------------------

LOCAL_GRAFANA = ROOT / "deploy" / "local" / "grafana"


def local_grafana(tmp_path: Path, *args: str, path: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        "PATH": path,
        "HOME": str(tmp_path),
        "NEXUS_LOCAL_RUN_DIR": str(tmp_path / "run"),
    }
    return subprocess.run(
        [str(LOCAL_GRAFANA), *args],
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_the_native_topology_says_grafana_is_skipped_where_it_is_not_installed(tmp_path):
    (tmp_path / "bin").mkdir()
    for name in ("bash", "dirname", "hostname", "mkdir", "cat", "rm", "grep"):
        (tmp_path / "bin" / name).symlink_to(
            subprocess.check_output(["which", name], text=True).strip()
        )
    ran = local_grafana(tmp_path, path=str(tmp_path / "bin"))
    assert ran.returncode == 0, ran.stderr
    assert "Grafana skipped: no grafana or grafana-server binary on PATH" in ran.stderr
    # up runs it after the rest has started, down stops it first.
    assert '\n"$ROOT/deploy/local/grafana"\n' in (ROOT / "deploy" / "local" / "up").read_text()
    assert '"$ROOT/deploy/local/grafana" stop' in (ROOT / "deploy" / "local" / "down").read_text()


def test_the_native_topology_starts_grafana_with_the_provisioning_and_stops_it(tmp_path):
    """A stand-in `grafana` on PATH (a real HTTP server under that name) records how it was
    started: the repository's provisioning, its dashboards, the Prometheus URL, a password file."""
    port = servers.free_port()
    (tmp_path / "bin").mkdir()
    stand_in = tmp_path / "bin" / "grafana"
    stand_in.write_text(
        "#!/bin/bash\n"
        f'printf "%s\\n" "$@" >{tmp_path}/args\n'
        f"env | grep ^NEXUS_ >{tmp_path}/env\n"
        f"exec -a grafana python3 -m http.server --bind 127.0.0.1 {port}\n"
    )
    stand_in.chmod(0o755)
    path = f"{tmp_path / 'bin'}:/usr/bin:/bin"
    env = {"NEXUS_LOCAL_GRAFANA_PORT": str(port), "NEXUS_LOCAL_PROMETHEUS_URL": "http://prom:9090"}
    try:
        started = local_grafana(tmp_path, path=path, **env)
        assert started.returncode == 0, started.stderr
        assert f"Grafana: http://127.0.0.1:{port}/" in started.stderr
        args = (tmp_path / "args").read_text().split()
        assert args[0] == "server"
        config = (tmp_path / "run" / "grafana" / "grafana.ini").read_text()
        assert f"provisioning = {GRAFANA / 'provisioning'}" in config
        assert f"http_port = {port}" in config
        password_file = tmp_path / "run" / "grafana" / "admin-password"
        assert f"admin_password = $__file{{{password_file}}}" in config
        assert password_file.stat().st_mode & 0o077 == 0
        assert password_file.read_text() not in started.stderr
        environment = dict(line.split("=", 1) for line in (tmp_path / "env").read_text().split())
        assert environment["NEXUS_PROMETHEUS_URL"] == "http://prom:9090"
        assert environment["NEXUS_GRAFANA_DASHBOARDS"] == str(GRAFANA / "dashboards")
    finally:
        stopped = local_grafana(tmp_path, "stop", path=path, **env)
    assert stopped.returncode == 0, stopped.stderr
    assert "stopping Grafana" in stopped.stderr
    deadline = time.monotonic() + 10
    while servers.answers(port, "/") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not servers.answers(port, "/")
