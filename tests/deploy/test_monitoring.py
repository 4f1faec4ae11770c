"""Prometheus still scrapes /metrics now that it wants a bearer token: the configs say so, promtool
accepts them, and a real Prometheus scraping a real gunicorn with compose's config gets in. Every
alert passes its promtool unit tests, firing and quiet, and links to a runbook that exists."""

import json
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests import servers

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
COMPOSE_CONFIG = MONITORING / "prometheus.yml"
K8S_CONFIG = MONITORING / "prometheus-k8s.yml"
RULES = MONITORING / "alerts.yml"
RULE_TESTS = MONITORING / "alerts.test.yml"
RUNBOOKS = ROOT / "docs" / "operations.md"
TOKEN = "a-metrics-token-for-prometheus-0123456789"
POOLS = ("nexus-web", "no-token")


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian's prometheus package; .ci/run installs it)")
    return path


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [tool("promtool"), *args], capture_output=True, text=True, timeout=60, check=False
    )


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def the_job(config: dict) -> dict:
    """The job that scrapes the web replicas' /metrics."""
    [job] = [job for job in config["scrape_configs"] if job["job_name"] == "nexus-web"]
    return job


def alert_rules() -> list[dict]:
    return [rule for group in load(RULES)["groups"] for rule in group["rules"] if "alert" in rule]


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, - for spaces."""
    headings = re.findall(r"^#{1,6} +(.+?) *$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def k8s_documents(name: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all((ROOT / "deploy/k8s" / name).read_text()) if doc]


# --- The files ------------------------------------------------------------------------------------


def test_promtool_accepts_the_compose_config_and_the_alert_rules():
    checked = promtool("check", "config", "--syntax-only", str(COMPOSE_CONFIG))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    rules = promtool("check", "rules", str(MONITORING / "alerts.yml"))
    assert rules.returncode == 0, rules.stdout + rules.stderr


def test_every_alert_passes_its_promtool_unit_tests():
    tested = promtool("test", "rules", str(RULE_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def test_every_alert_has_a_case_that_fires_it_and_one_that_must_not():
    cases = [case for test in load(RULE_TESTS)["tests"] for case in test["alert_rule_test"]]
    firing = {case["alertname"] for case in cases if case["exp_alerts"]}
    quiet = {case["alertname"] for case in cases if not case["exp_alerts"]}
    names = {rule["alert"] for rule in alert_rules()}
    assert len(names) >= 11
    assert names - firing == set(), "alerts no test fires"
    assert names - quiet == set(), "alerts no test keeps quiet"
    assert (firing | quiet) - names == set(), "tests of alerts that do not exist"


def test_every_alert_waits_has_a_severity_a_summary_and_a_runbook_that_exists():
    anchors = github_anchors(RUNBOOKS.read_text())
    for rule in alert_rules():
        name = rule["alert"]
        assert rule.get("for"), name
        assert rule["labels"]["severity"] in {"page", "ticket"}, name
        assert rule["annotations"]["summary"], name
        page, _, anchor = rule["annotations"]["runbook_url"].partition("#")
        assert page == "docs/operations.md", name
        assert anchor in anchors, f"{name}: no heading in docs/operations.md has #{anchor}"


def test_the_alerts_on_other_exporters_have_a_scrape_job_for_them():
    jobs = {job["job_name"]: job for job in load(COMPOSE_CONFIG)["scrape_configs"]}
    assert jobs["rabbitmq"]["metrics_path"] == "/metrics/per-object"
    assert jobs["blackbox"]["params"] == {"module": ["http_2xx"]}
    assert {"nexus-web", "nexus-worker", "node"} <= set(jobs)
    expressions = " ".join(rule["expr"] for rule in alert_rules())
    for metric in (
        "rabbitmq_queue_messages_ready",
        "node_filesystem_avail_bytes",
        "probe_ssl_earliest_cert_expiry",
        'up{job="nexus-worker"}',
    ):
        assert metric in expressions


def test_promtool_accepts_the_kubernetes_job_but_for_its_discovery(tmp_path):
    # Debian builds Prometheus without Kubernetes discovery: promtool checks everything else.
    config = load(K8S_CONFIG)
    job = the_job(config)
    job["static_configs"] = [{"targets": ["10.0.0.7:8000"]}]
    del job["kubernetes_sd_configs"]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    checked = promtool("check", "config", "--syntax-only", str(tmp_path / "prometheus.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_kubernetes_job_finds_the_web_pods_on_their_annotated_port_and_path():
    job = the_job(load(K8S_CONFIG))
    assert job["kubernetes_sd_configs"] == [{"role": "pod", "namespaces": {"names": ["nexus"]}}]
    keeps = {
        rule["source_labels"][0]: rule["regex"]
        for rule in job["relabel_configs"]
        if rule.get("action") == "keep"
    }
    [web] = [doc for doc in k8s_documents("web.yaml") if doc["kind"] == "Deployment"]
    pod = web["spec"]["template"]["metadata"]
    assert keeps == {
        "__meta_kubernetes_pod_label_app_kubernetes_io_name": pod["labels"][
            "app.kubernetes.io/name"
        ],
        "__meta_kubernetes_pod_label_app_kubernetes_io_component": pod["labels"][
            "app.kubernetes.io/component"
        ],
    }
    assert web["metadata"]["namespace"] == "nexus"
    [container] = web["spec"]["template"]["spec"]["containers"]
    assert pod["annotations"]["prometheus.io/port"] == str(container["ports"][0]["containerPort"])
    assert pod["annotations"]["prometheus.io/path"] == "/metrics"
    # An annotation-driven job sends no token: it must leave these pods alone.
    assert pod["annotations"]["prometheus.io/scrape"] == "false"


def test_every_scrape_job_sends_the_token_and_the_alerts_watch_it():
    alerts = (MONITORING / "alerts.yml").read_text()
    for path in (COMPOSE_CONFIG, K8S_CONFIG):
        job = the_job(load(path))
        assert job["authorization"]["type"] == "Bearer", path
        assert job["authorization"]["credentials_file"], path
        assert f'job="{job["job_name"]}"' in alerts


def test_compose_gives_prometheus_the_token_the_web_replicas_hold():
    compose = load(ROOT / "compose.yaml")
    secret_file = the_job(load(COMPOSE_CONFIG))["authorization"]["credentials_file"]
    [secret] = compose["services"]["prometheus"]["secrets"]
    assert secret_file == f"/run/secrets/{secret}"
    assert compose["secrets"][secret] == {"environment": "NEXUS_METRICS_TOKEN"}
    assert compose["x-nexus-env"]["NEXUS_METRICS_TOKEN"] == "${NEXUS_METRICS_TOKEN:-}"


def test_kubernetes_web_pods_get_the_token_from_the_secret():
    [secret] = k8s_documents("secret.example.yaml")
    assert "NEXUS_METRICS_TOKEN" in secret["stringData"]
    [web] = [doc for doc in k8s_documents("web.yaml") if doc["kind"] == "Deployment"]
    [container] = web["spec"]["template"]["spec"]["containers"]
    assert {"secretRef": {"name": secret["metadata"]["name"]}} in container["envFrom"]


# --- A real scrape --------------------------------------------------------------------------------


def scrape_results(prometheus_port: int) -> dict[str, dict]:
    url = f"http://127.0.0.1:{prometheus_port}/api/v1/targets"
    with urllib.request.urlopen(url, timeout=5) as response:
        targets = json.load(response)["data"]["activeTargets"]
    return {target["scrapePool"]: target for target in targets}


def test_prometheus_with_the_compose_config_scrapes_a_replica_and_without_the_token_cannot(
    tmp_path,
):
    binary = tool("prometheus")
    config = load(COMPOSE_CONFIG)
    job = the_job(config)
    token_file = tmp_path / "nexus-metrics-token"
    token_file.write_text(TOKEN)
    job["authorization"]["credentials_file"] = str(token_file)
    with servers.gunicorn(NEXUS_METRICS_TOKEN=TOKEN) as web_port:
        job["static_configs"] = [{"targets": [f"127.0.0.1:{web_port}"]}]
        without_token = {k: v for k, v in job.items() if k != "authorization"}
        config["scrape_configs"] = [job, {**without_token, "job_name": "no-token"}]
        config["global"]["scrape_interval"] = "1s"
        config["rule_files"] = [str(MONITORING / "alerts.yml")]
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
        port = servers.free_port()
        prometheus = subprocess.Popen(
            [
                binary,
                f"--config.file={tmp_path / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 90
            results: dict[str, dict] = {}
            while time.monotonic() < deadline:
                try:
                    results = scrape_results(port)
                except OSError:
                    results = {}
                # Before its first scrape a target's health is "unknown".
                if all(results.get(pool, {}).get("health") in {"up", "down"} for pool in POOLS):
                    break
                time.sleep(1)
        finally:
            prometheus.terminate()
            prometheus.wait(timeout=30)
    assert results["nexus-web"]["health"] == "up", results["nexus-web"]
    assert results["no-token"]["health"] == "down"
    assert "401" in results["no-token"]["lastError"]


# --- A database that does not answer --------------------------------------------------------------


def timed_get(port: int, path: str, **headers: str) -> tuple[int, bytes, float]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, body, time.monotonic() - started


def test_with_the_database_down_a_scrape_and_readiness_answer_within_their_timeouts():
    # Nothing listens on the port: every connection the pool tries is refused.
    gone = f"postgres://nexus:nexus@127.0.0.1:{servers.free_port()}/nexus"
    scrape_timeout = 10  # Prometheus's default; deploy/monitoring sets none
    [probe] = [
        container["readinessProbe"]
        for document in k8s_documents("web.yaml")
        if document["kind"] == "Deployment"
        for container in document["spec"]["template"]["spec"]["containers"]
    ]
    with servers.gunicorn(DATABASE_URL=gone, NEXUS_METRICS_TOKEN=TOKEN) as port:
        status, body, seconds = timed_get(port, "/metrics", Authorization=f"Bearer {TOKEN}")
        assert status == 200
        assert b"django_http_requests_total_by_method_total" in body
        assert b"nexus_outbox_pending_events " not in body  # skipped, the database being down
        assert seconds < scrape_timeout

        status, body, seconds = timed_get(port, "/readyz")
        assert status == 503
        assert json.loads(body)["checks"]["database"]["ok"] is False
        assert seconds < probe["timeoutSeconds"]
