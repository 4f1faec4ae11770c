"""The deployment files agree with the code: images, ports, commands, probes and settings names.

Docker and Kubernetes cannot run on our machines, so these tests read the files instead: the
Dockerfile, compose.yaml, deploy/k8s, the nginx configs and the CI definitions.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"

WSGI_APP = "nexus.wsgi:application"
WEB_PORT = 8000
WORKER_COMMAND = ["celery", "-A", "nexus", "worker", "-l", "info"]
BEAT_COMMAND = [
    "celery",
    "-A",
    "nexus",
    "beat",
    "-l",
    "info",
    "--scheduler",
    "django_celery_beat.schedulers:DatabaseScheduler",
]
MIGRATE_COMMAND = ["python", "manage.py", "migrate", "--noinput"]
# Variables the deployment sets that are read by something other than nexus/settings.py.
NOT_SETTINGS = {
    "WEB_CONCURRENCY": "gunicorn's worker count",
    "POD_IP": "only expanded into ALLOWED_HOSTS (deploy/k8s/web.yaml)",
}


# --- Readers ------------------------------------------------------------------------------------


def settings_env_names() -> set[str]:
    """The environment variables nexus/settings.py reads, from its text."""
    text = (ROOT / "nexus" / "settings.py").read_text()
    names = set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", text))
    names |= set(re.findall(r"os\.environ(?:\.get\(|\[)\s*[\"']([A-Z][A-Z0-9_]*)[\"']", text))
    names |= set(re.findall(r"[\"']([A-Z][A-Z0-9_]*)[\"']\s+(?:not\s+)?in\s+os\.environ", text))
    return names


def dockerfile_stages() -> list[dict]:
    """The Dockerfile as stages: {"from": image, "name": alias, "instructions": [(KEY, args)]}."""
    text = (ROOT / "Dockerfile").read_text()
    logical_lines: list[str] = []
    current = ""
    for line in text.splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        logical_lines.append(current + line.strip())
        current = ""
    stages: list[dict] = []
    for line in logical_lines:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            parts = args.split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append({"from": parts[0], "name": name, "instructions": []})
        else:
            stages[-1]["instructions"].append((keyword, args.strip()))
    return stages


def final_stage() -> dict:
    return dockerfile_stages()[-1]


def instruction_args(stage: dict, keyword: str) -> list[str]:
    return [args for key, args in stage["instructions"] if key == keyword]


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def compose_app_services() -> dict[str, dict]:
    """The compose services that run the Nexus image (they have a build section)."""
    return {name: svc for name, svc in compose()["services"].items() if "build" in svc}


def k8s_objects() -> list[dict]:
    objects = []
    for path in sorted(K8S.glob("*.yaml")):
        objects += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return objects


def k8s_of_kind(kind: str) -> list[dict]:
    return [obj for obj in k8s_objects() if obj["kind"] == kind]


def k8s_named(kind: str, name: str) -> dict:
    matches = [obj for obj in k8s_of_kind(kind) if obj["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind} named {name}, found {len(matches)}"
    return matches[0]


def all_pod_templates() -> dict[str, dict]:
    """Pod specs of every Deployment and Job, by the object's name."""
    return {
        obj["metadata"]["name"]: obj["spec"]["template"]
        for obj in k8s_objects()
        if obj["kind"] in {"Deployment", "Job"}
    }


def pod_templates() -> dict[str, dict]:
    """Pod specs of the Deployments and Jobs that run Nexus (not the nginx micro-cache)."""
    return {
        name: template
        for name, template in all_pod_templates().items()
        if template["metadata"]["labels"]["app.kubernetes.io/name"] == "nexus"
    }


def only_container(name: str) -> dict:
    containers = pod_templates()[name]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def nginx_upstream_servers(text: str) -> list[str]:
    block = re.search(r"upstream\s+\w+\s*\{(.*?)\}", text, re.DOTALL)
    assert block, "no upstream block"
    return re.findall(r"^\s*server\s+(\S+?)(?:\s[^;]*)?;", block.group(1), re.MULTILINE)


# --- The code's side of the contract -------------------------------------------------------------


def test_the_wsgi_and_celery_entry_points_exist_in_the_code():
    assert re.search(r"^application\s*=", (ROOT / "nexus/wsgi.py").read_text(), re.MULTILINE)
    assert re.search(r"^app\s*=\s*Celery\(", (ROOT / "nexus/celery.py").read_text(), re.MULTILINE)
    settings = (ROOT / "nexus/settings.py").read_text()
    assert 'WSGI_APPLICATION = "nexus.wsgi.application"' in settings
    assert "django_celery_beat" in settings


def test_the_settings_reader_finds_the_contract_variables():
    names = settings_env_names()
    contract = {
        "NEXUS_MODE",
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "EMAIL_URL",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DEBUG",
        "NEXUS_REPLICA",
        "CSRF_TRUSTED_ORIGINS",
        "LOG_FORMAT",
    }
    assert contract <= names, f"settings.py does not read {sorted(contract - names)}"


# --- Dockerfile ----------------------------------------------------------------------------------


def test_dockerfile_is_multi_stage_and_ships_python_slim():
    stages = dockerfile_stages()
    assert len(stages) >= 3
    assert stages[-1]["from"] == "python:3.12-slim"
    assert any(stage["from"].startswith("node:") for stage in stages[:-1]), "no node stage"
    copies = instruction_args(final_stage(), "COPY")
    assert any(args.startswith("--from=") for args in copies), "the final stage builds nothing"


def test_dockerfile_final_stage_runs_as_a_non_root_user():
    users = instruction_args(final_stage(), "USER")
    assert users, "no USER in the final stage"
    uid = users[-1].split(":")[0]
    assert uid not in {"root", "0"}
    keys = [key for key, _ in final_stage()["instructions"]]
    assert keys.index("CMD") > len(keys) - 1 - keys[::-1].index("USER")


def test_dockerfile_serves_the_wsgi_app_with_gunicorn_on_port_8000():
    stage = final_stage()
    cmd = json.loads(instruction_args(stage, "CMD")[-1])
    assert cmd[:2] == ["gunicorn", WSGI_APP]
    assert cmd[cmd.index("--bind") + 1] == f"0.0.0.0:{WEB_PORT}"
    assert instruction_args(stage, "EXPOSE") == [str(WEB_PORT)]
    healthcheck = instruction_args(stage, "HEALTHCHECK")[-1]
    assert f"127.0.0.1:{WEB_PORT}/healthz" in healthcheck


def test_dockerfile_builds_from_the_frozen_lock_with_assets_and_static_files():
    runs = " ".join(
        args for stage in dockerfile_stages() for args in instruction_args(stage, "RUN")
    )
    assert "uv sync --frozen --no-dev" in runs
    assert "make assets" in runs
    assert "manage.py collectstatic --noinput" in runs
    # Production settings pick the manifest storage: collect with the same mode.
    assert "NEXUS_MODE=production" in runs
    env = " ".join(instruction_args(final_stage(), "ENV"))
    assert "NEXUS_MODE=production" in env


def test_dockerfile_collectstatic_step_works_with_the_vendored_assets(tmp_path):
    """The image's build step, as the Dockerfile runs it, after `make assets`."""
    if not (ROOT / "nexus/static/vendor/.built").exists():
        pytest.skip("run `make assets` first (the Dockerfile does)")
    env = {
        "PATH": f"{ROOT / '.venv/bin'}:/usr/bin:/bin",
        "NEXUS_MODE": "production",
        "SECRET_KEY": "build-time-only-collectstatic-key-not-used-at-runtime",
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": "postgres://build:build@localhost:5432/build",
        "STATIC_ROOT": str(tmp_path),
    }
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "staticfiles.json").is_file(), "no manifest for production's storage"


def test_dockerfile_copies_only_files_the_context_has():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for needed in ["Makefile", "package.json", "package-lock.json", "uv.lock", "pyproject.toml"]:
        assert (ROOT / needed).exists(), f"{needed} is missing"
        assert needed not in ignored


def test_dockerignore_keeps_out_local_state_and_secrets():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "node_modules", ".env", "deploy/local/.run"} <= ignored


# --- compose.yaml --------------------------------------------------------------------------------


def test_compose_uses_the_official_service_images():
    services = compose()["services"]
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert services["rabbitmq"]["image"] == "rabbitmq:3-management"
    assert services["nginx"]["image"] == "nginx:1.27"


def test_compose_runs_two_named_web_replicas_with_the_image_command():
    services = compose()["services"]
    for name in ["web-1", "web-2"]:
        web = services[name]
        assert "build" in web
        assert "command" not in web, "web replicas run the image's gunicorn CMD"
        assert web["environment"]["NEXUS_REPLICA"] == name
        assert str(WEB_PORT) in [str(port) for port in web["expose"]]
    assert set(services["nginx"]["depends_on"]) == {"web-1", "web-2"}


def test_attachments_have_a_shared_writable_home_in_compose_and_a_bucket_in_k8s():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "MEDIA_ROOT=/data/media" in dockerfile
    assert "chown 10001:10001 /data/media" in dockerfile
    services = compose()["services"]
    assert all("media:/data/media" in services[name]["volumes"] for name in ["web-1", "web-2"])
    assert "media" in compose()["volumes"]
    (config,) = [c for c in k8s_of_kind("ConfigMap") if c["metadata"]["name"] == "nexus-config"]
    assert config["data"]["NEXUS_MEDIA_S3_BUCKET"]
    (store,) = [
        policy
        for policy in k8s_of_kind("NetworkPolicy")
        if policy["metadata"]["name"] == "nexus-web-object-store-egress"
    ]
    assert [port["port"] for rule in store["spec"]["egress"] for port in rule["ports"]] == [443]


def test_compose_nginx_balances_both_replicas_on_the_web_port():
    mounts = compose()["services"]["nginx"]["volumes"]
    source = ROOT / mounts[0].split(":")[0]
    assert source.is_file()
    servers = nginx_upstream_servers(source.read_text())
    assert servers == [f"web-1:{WEB_PORT}", f"web-2:{WEB_PORT}"]


def test_compose_worker_beat_and_migrate_commands_match_the_code():
    services = compose()["services"]
    assert services["worker"]["command"] == WORKER_COMMAND
    assert services["beat"]["command"] == BEAT_COMMAND
    assert services["migrate"]["command"] == MIGRATE_COMMAND
    for name in ["web-1", "web-2", "worker", "beat"]:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"


def test_compose_app_environment_names_are_read_by_settings():
    known = settings_env_names() | set(NOT_SETTINGS)
    for name, service in compose_app_services().items():
        unknown = set(service["environment"]) - known
        assert not unknown, f"{name} sets {sorted(unknown)}, which settings.py never reads"


def test_compose_app_urls_point_at_the_compose_services():
    services = compose()["services"]
    for name, service in compose_app_services().items():
        env = service["environment"]
        assert env["NEXUS_MODE"] == "production", name
        database = urlsplit(env["DATABASE_URL"])
        assert (database.scheme, database.hostname, database.port) == ("postgres", "postgres", 5432)
        assert database.path == "/" + services["postgres"]["environment"]["POSTGRES_DB"]
        assert database.username == services["postgres"]["environment"]["POSTGRES_USER"]
        redis = urlsplit(env["REDIS_URL"])
        assert (redis.hostname, redis.port) == ("redis", 6379)
        broker = urlsplit(env["CELERY_BROKER_URL"])
        rabbit = services["rabbitmq"]["environment"]
        assert (broker.scheme, broker.hostname, broker.port) == ("amqp", "rabbitmq", 5672)
        assert broker.username == rabbit["RABBITMQ_DEFAULT_USER"]
        assert broker.path == "/" + rabbit["RABBITMQ_DEFAULT_VHOST"]


def test_compose_requires_a_secret_key_instead_of_defaulting_one():
    for service in compose_app_services().values():
        assert service["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")


# --- Kubernetes ----------------------------------------------------------------------------------


def test_k8s_has_every_kind_the_deployment_needs():
    kinds = {obj["kind"] for obj in k8s_objects()}
    needed = {"Deployment", "Service", "Ingress", "ConfigMap", "Secret"}
    needed |= {"HorizontalPodAutoscaler", "NetworkPolicy", "Job"}
    assert needed <= kinds
    deployments = {obj["metadata"]["name"] for obj in k8s_of_kind("Deployment")}
    assert deployments == {"nexus-web", "nexus-worker", "nexus-beat", "nexus-cache"}


def test_kustomization_applies_every_manifest_but_the_secret_template():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    manifests = {path.name for path in K8S.glob("*.yaml")}
    assert set(kustomization["resources"]) == manifests - {
        "kustomization.yaml",
        "secret.example.yaml",
    }
    assert [image["name"] for image in kustomization["images"]] == ["nexus"]


def test_k8s_web_serves_port_8000_with_health_probes():
    web = only_container("nexus-web")
    assert "command" not in web, "the web pods run the image's gunicorn CMD"
    ports = {port["name"]: port["containerPort"] for port in web["ports"]}
    assert ports == {"http": WEB_PORT}
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"]:
        assert ports[web[probe]["httpGet"]["port"]] == WEB_PORT


def test_k8s_web_names_each_replica_and_allows_probes_by_pod_ip():
    env = {item["name"]: item for item in only_container("nexus-web")["env"]}
    assert env["NEXUS_REPLICA"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    assert env["POD_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP"
    assert env["ALLOWED_HOSTS"]["value"] == "$(ALLOWED_HOSTS),$(POD_IP)"
    names = list(env)
    assert names.index("POD_IP") < names.index("ALLOWED_HOSTS"), "$(POD_IP) must be defined first"


def test_k8s_worker_beat_and_migration_commands_match_the_code():
    assert only_container("nexus-worker")["command"] == WORKER_COMMAND
    assert only_container("nexus-beat")["command"] == BEAT_COMMAND
    assert only_container("nexus-migrate")["command"] == MIGRATE_COMMAND
    beat = k8s_named("Deployment", "nexus-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"
    job = k8s_named("Job", "nexus-migrate")
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_k8s_pods_run_as_the_images_non_root_user():
    uid = int(instruction_args(final_stage(), "USER")[-1].split(":")[0])
    for name, template in pod_templates().items():
        pod_security = template["spec"]["securityContext"]
        assert pod_security["runAsNonRoot"] is True, name
        assert pod_security["runAsUser"] == uid, name
        for container in template["spec"]["containers"]:
            assert container["image"] == "nexus", name
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["capabilities"]["drop"] == ["ALL"], name


def test_k8s_pods_read_an_existing_configmap_and_the_secret():
    configmaps = {obj["metadata"]["name"] for obj in k8s_of_kind("ConfigMap")}
    secrets = {obj["metadata"]["name"] for obj in k8s_of_kind("Secret")}
    for name, template in pod_templates().items():
        env_from = template["spec"]["containers"][0]["envFrom"]
        assert {ref["configMapRef"]["name"] for ref in env_from if "configMapRef" in ref} <= (
            configmaps
        ), name
        assert {ref["secretRef"]["name"] for ref in env_from if "secretRef" in ref} == secrets


def test_k8s_environment_names_are_read_by_settings():
    known = settings_env_names() | set(NOT_SETTINGS)
    names = set()
    for configmap in k8s_of_kind("ConfigMap"):
        if configmap["metadata"]["name"] != "nexus-cache-nginx":
            names |= set(configmap["data"])
    for secret in k8s_of_kind("Secret"):
        names |= set(secret["stringData"])
    for template in pod_templates().values():
        for container in template["spec"]["containers"]:
            names |= {item["name"] for item in container.get("env", [])}
    assert not names - known, f"settings.py never reads {sorted(names - known)}"
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= set(
        k8s_of_kind("Secret")[0]["stringData"]
    ), "credentials belong in the Secret"


def test_k8s_configmap_runs_production_mode_with_debug_off():
    data = k8s_named("ConfigMap", "nexus-config")["data"]
    assert data["NEXUS_MODE"] == "production"
    assert data["DEBUG"] == "false"
    assert data["ALLOWED_HOSTS"]


def test_k8s_services_select_pods_that_exist():
    for service in k8s_of_kind("Service"):
        selector = service["spec"]["selector"].items()
        matching = [
            name
            for name, template in all_pod_templates().items()
            if selector <= template["metadata"]["labels"].items()
        ]
        assert matching == [service["metadata"]["name"]], service["metadata"]["name"]
        assert service["spec"]["ports"][0]["targetPort"] == "http"


def test_k8s_ingress_sends_the_site_through_the_micro_cache_and_metrics_past_it():
    backends = {
        (ingress["metadata"]["name"], path["path"]): path["backend"]["service"]["name"]
        for ingress in k8s_of_kind("Ingress")
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends[("nexus", "/")] == "nexus-cache"
    assert backends[("nexus-metrics", "/metrics")] == "nexus-web"
    cache = k8s_named("ConfigMap", "nexus-cache-nginx")["data"]["default.conf"]
    assert nginx_upstream_servers(cache) == ["nexus-web.nexus.svc.cluster.local:80"]


def test_k8s_ingress_serves_every_host_over_tls_to_the_web_service():
    services = {obj["metadata"]["name"]: obj for obj in k8s_of_kind("Service")}
    for ingress in k8s_of_kind("Ingress"):
        spec = ingress["spec"]
        tls_hosts = {host for entry in spec["tls"] for host in entry["hosts"]}
        assert all(entry["secretName"] for entry in spec["tls"])
        for rule in spec["rules"]:
            assert rule["host"] in tls_hosts
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                port_names = {port["name"] for port in services[backend["name"]]["spec"]["ports"]}
                assert backend["port"]["name"] in port_names


def test_k8s_hpa_scales_the_web_deployment_on_cpu_requests():
    hpa = k8s_named("HorizontalPodAutoscaler", "nexus-web")
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "nexus-web")
    k8s_named("Deployment", target["name"])
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    metric = hpa["spec"]["metrics"][0]["resource"]
    assert metric["name"] == "cpu"
    assert only_container("nexus-web")["resources"]["requests"]["cpu"]


def test_k8s_network_policy_denies_by_default_and_admits_the_web_port():
    policies = k8s_of_kind("NetworkPolicy")
    deny_all = [
        policy
        for policy in policies
        if policy["spec"]["podSelector"] == {}
        and set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and "ingress" not in policy["spec"]
        and "egress" not in policy["spec"]
    ]
    assert deny_all, "no default-deny policy"
    web_labels = pod_templates()["nexus-web"]["metadata"]["labels"].items()
    web_ingress_ports = [
        port["port"]
        for policy in policies
        if policy["spec"]["podSelector"].get("matchLabels", {}).items() <= web_labels
        and policy["spec"]["podSelector"] != {}
        for rule in policy["spec"].get("ingress", [])
        for port in rule["ports"]
    ]
    assert web_ingress_ports == [WEB_PORT]


def test_k8s_network_policy_lets_pods_reach_the_backing_services():
    egress_ports = {
        port["port"]
        for policy in k8s_of_kind("NetworkPolicy")
        if policy["spec"]["podSelector"].get("matchLabels") == {"app.kubernetes.io/name": "nexus"}
        for rule in policy["spec"].get("egress", [])
        for port in rule["ports"]
    }
    assert {53, 5432, 6379, 5672} <= egress_ports


# --- nginx and the native topology ---------------------------------------------------------------


def test_local_nginx_template_balances_two_loopback_replicas():
    text = (ROOT / "deploy/local/nginx.conf.template").read_text()
    assert nginx_upstream_servers(text) == ["127.0.0.1:@WEB1_PORT@", "127.0.0.1:@WEB2_PORT@"]
    assert "listen 127.0.0.1:@NGINX_PORT@;" in text


def make_local_certificate(folder: Path, *names: str) -> Path:
    """A server certificate from deploy/local/tls.sh, as up makes it; returns its folder."""
    result = subprocess.run(
        [str(ROOT / "deploy/local/tls.sh"), str(folder / "ca"), str(folder / "tls"), *names],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return folder / "tls"


def render_local_nginx_config(run_dir: Path) -> str:
    values = {
        "USER_DIRECTIVE": "",
        "RUN_DIR": str(run_dir),
        "NGINX_PORT": "18180",
        "NGINX_TLS_PORT": "18443",
        "WEB1_PORT": "18101",
        "WEB2_PORT": "18102",
        "TLS_DIR": str(make_local_certificate(run_dir, "localhost", "127.0.0.1")),
        "ROOT": str(ROOT),
    }
    text = (ROOT / "deploy/local/nginx.conf.template").read_text()
    rendered = re.sub(r"@([A-Z0-9_]+)@", lambda match: values[match.group(1)], text)
    return rendered


def assert_nginx_accepts(config: str, tmp_path: Path) -> str:
    """`nginx -t` on a whole configuration, written into tmp_path; returns what nginx said."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed (apt-get install nginx)")
    path = tmp_path / "nginx.conf"
    path.write_text(config)
    result = subprocess.run(
        [nginx, "-t", "-c", str(path), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_local_nginx_config_is_accepted_by_nginx(tmp_path):
    (tmp_path / "nginx-tmp").mkdir()
    assert_nginx_accepts(render_local_nginx_config(tmp_path), tmp_path)


def test_local_scripts_are_executable_and_parse():
    for name in ["up", "down", "roll", "tls.sh", "grafana"]:
        script = ROOT / "deploy/local" / name
        assert script.stat().st_mode & 0o111, f"deploy/local/{name} is not executable"
        result = subprocess.run(
            ["bash", "-n", str(script)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--migrat"], "unknown argument '--migrat'; usage: deploy/local/roll [--migrate]"),
        (["--migrate"], "no topology in {run_dir}: run deploy/local/up first"),
    ],
)
def test_local_roll_refuses_what_it_cannot_do_and_says_why(tmp_path, arguments, message):
    result = subprocess.run(
        [str(ROOT / "deploy/local/roll"), *arguments],
        env={**os.environ, "NEXUS_LOCAL_RUN_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == f"[nexus-local] error: {message.format(run_dir=tmp_path)}\n"


def test_local_up_starts_the_same_processes_as_the_containers():
    up = (ROOT / "deploy/local/up").read_text()
    lib = (ROOT / "deploy/local/lib.sh").read_text()
    assert f'gunicorn" {WSGI_APP}' in lib  # start_web, shared with deploy/local/roll
    assert "NEXUS_MODE=production" in up
    assert "-A nexus worker -l info" in up
    assert "-A nexus beat -l info" in up
    assert "--scheduler django_celery_beat.schedulers:DatabaseScheduler" in up
    assert "manage.py migrate --noinput" in up
    assert "manage.py collectstatic --noinput" in up
    for replica in ["web-1", "web-2"]:
        assert f"start_web {replica} " in up
    for default in ["NGINX_PORT:-8180", "WEB1_PORT:-8101", "WEB2_PORT:-8102"]:
        assert default in lib


def test_local_up_sets_only_variables_settings_reads():
    up = (ROOT / "deploy/local/up").read_text()
    block = re.search(r"^app_env=\((.*?)^\)", up, re.MULTILINE | re.DOTALL)
    assert block
    names = set(re.findall(r"^\s+([A-Z][A-Z0-9_]*)=", block.group(1), re.MULTILINE))
    assert "EMAIL_URL" in names
    assert names <= settings_env_names(), sorted(names - settings_env_names())


# --- Client addresses behind the proxies ---------------------------------------------------------

NGINX_CONFIGS = ["deploy/nginx/nexus.conf", "deploy/local/nginx.conf.template"]


@pytest.mark.parametrize("path", NGINX_CONFIGS)
def test_nginx_sets_x_forwarded_for_to_the_address_it_saw(path):
    text = (ROOT / path).read_text()
    forwarded = re.findall(r"^\s*proxy_set_header\s+X-Forwarded-For\s+(\S+);", text, re.MULTILINE)
    # Appending ($proxy_add_x_forwarded_for) would pass on whatever the client wrote.
    assert forwarded
    assert set(forwarded) == {"$remote_addr"}


def test_every_deployment_trusts_exactly_its_one_proxy():
    up = (ROOT / "deploy/local/up").read_text()
    assert re.search(r"^\s+NEXUS_TRUSTED_PROXIES=1\b", up, re.MULTILINE)
    assert k8s_named("ConfigMap", "nexus-config")["data"]["NEXUS_TRUSTED_PROXIES"] == "1"
    for name in ["web-1", "web-2"]:
        assert compose()["services"][name]["environment"]["NEXUS_TRUSTED_PROXIES"] == "1"


# --- HTTPS ---------------------------------------------------------------------------------------

TLS_PARAMS = ROOT / "deploy/nginx/tls-params.conf"


def nginx_servers(text: str) -> list[str]:
    """The text of each top-level `server { ... }` block (braces counted)."""
    servers = []
    for match in re.finditer(r"^\s*server\s*\{", text, re.MULTILINE):
        depth, index = 0, match.end() - 1
        for index in range(match.end() - 1, len(text)):
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            if depth == 0:
                break
        servers.append(text[match.start() : index + 1])
    return servers


def test_the_shared_tls_settings_allow_tls_1_2_and_1_3_with_forward_secrecy_only():
    text = TLS_PARAMS.read_text()
    assert re.search(r"^ssl_protocols TLSv1\.2 TLSv1\.3;$", text, re.MULTILINE)
    (ciphers,) = re.findall(r"^ssl_ciphers (\S+);$", text, re.MULTILINE)
    assert all(suite.startswith("ECDHE-") for suite in ciphers.split(":")), ciphers
    assert all("GCM" in suite or "CHACHA20" in suite for suite in ciphers.split(":")), ciphers
    assert re.search(r"^ssl_session_tickets off;$", text, re.MULTILINE)


@pytest.mark.parametrize("path", NGINX_CONFIGS)
def test_nginx_serves_https_and_redirects_everything_but_the_probes(path):
    https, plain = nginx_servers((ROOT / path).read_text())
    assert re.search(r"^\s*listen\s+\S+ ssl;", https, re.MULTILINE)
    assert re.search(r"^\s*include\s+\S+tls-params\.conf;", https, re.MULTILINE)
    assert "ssl_certificate " in https
    assert "ssl_certificate_key " in https
    assert " ssl" not in "".join(re.findall(r"^\s*listen[^;]*;", plain, re.MULTILINE))
    assert re.findall(r"location\s+([^{]+?)\s*\{", plain) == ["~ ^/(healthz|readyz)$", "/"]
    assert re.search(r"location / \{\s*return 301 https://\$host\S*\$request_uri;\s*\}", plain)
    # Set from how the request reached nginx, never passed on from the client.
    for server in (https, plain):
        schemes = re.findall(r"proxy_set_header\s+X-Forwarded-Proto\s+(\S+);", server)
        assert set(schemes) == {"$scheme"}, (path, schemes)


def test_only_the_compose_nginx_staples_ocsp_and_only_with_an_issuer_to_check_it():
    compose_nginx = (ROOT / "deploy/nginx/nexus.conf").read_text()
    local = (ROOT / "deploy/local/nginx.conf.template").read_text()
    assert "ssl_stapling on;" in compose_nginx
    assert "ssl_stapling_verify on;" in compose_nginx
    assert "ssl_trusted_certificate /etc/nginx/tls/chain.pem;" in compose_nginx
    assert "ssl_stapling" not in local, "the local CA has no OCSP responder"


def render_compose_nginx_config(tmp_path: Path) -> str:
    """deploy/nginx/nexus.conf inside the image's http block, pointed at files under tmp_path."""
    tls = make_local_certificate(tmp_path, "localhost", "127.0.0.1", "nginx")
    volumes = compose()["services"]["nginx"]["volumes"]
    mounts = {target: source for source, target, _ in (v.rsplit(":", 2) for v in volumes)}
    server = (ROOT / "deploy/nginx/nexus.conf").read_text()
    assert mounts["/etc/nginx/snippets/nexus-tls-params.conf"] == "./deploy/nginx/tls-params.conf"
    assert mounts["/etc/nginx/tls"] == "${NEXUS_TLS_DIR:-./deploy/nginx/tls}"
    replacements = {
        "/etc/nginx/snippets/nexus-tls-params.conf": str(TLS_PARAMS),
        "/etc/nginx/tls": str(tls),
        "/var/cache/nginx/nexus": str(tmp_path / "cache"),
        "/var/log/nginx/access.log": str(tmp_path / "access.log"),
        "web-1:8000": "127.0.0.1:18101",
        "web-2:8000": "127.0.0.1:18102",
        "listen 443 ssl;": "listen 127.0.0.1:18443 ssl;",
        "listen 80;": "listen 127.0.0.1:18180;",
    }
    for old, new in replacements.items():
        assert old in server, old
        server = server.replace(old, new)
    return f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n{server}\n}}\n"


def test_compose_nginx_config_with_a_local_certificate_is_accepted_by_nginx(tmp_path):
    said = assert_nginx_accepts(render_compose_nginx_config(tmp_path), tmp_path)
    # The guard on OCSP stapling: a certificate that names no responder (the local CA's) is
    # served without it; nginx says so rather than failing.
    assert '"ssl_stapling" ignored, no OCSP responder URL in the certificate' in said


def test_compose_serves_https_with_a_certificate_from_a_folder_and_redirects_http():
    nginx = compose()["services"]["nginx"]
    assert nginx["ports"] == ["80:80", "443:443"]
    env = compose()["services"]["web-1"]["environment"]
    assert env["CSRF_TRUSTED_ORIGINS"].endswith(":-https://localhost}")
    assert env["NEXUS_BASE_URL"].endswith(":-https://localhost}")
    assert "SECURE_COOKIES" not in env, "production's default (secure cookies) holds"
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert {"deploy/nginx/tls/", "deploy/nginx/local-ca/"} <= set(ignored)


def test_local_up_serves_https_with_secure_cookies_behind_its_one_proxy():
    up = (ROOT / "deploy/local/up").read_text()
    lib = (ROOT / "deploy/local/lib.sh").read_text()
    assert "NGINX_TLS_PORT=${NEXUS_LOCAL_NGINX_TLS_PORT:-8443}" in lib
    assert 'base_url="https://127.0.0.1:$NGINX_TLS_PORT"' in up
    for name in ["SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER"]:
        assert name not in up, f"up overrides {name}; production's default should hold"
    assert re.search(r'deploy/local/tls\.sh" "\$TLS_DIR/ca" "\$TLS_DIR" localhost 127\.0\.0\.1', up)


def test_k8s_ingresses_redirect_to_https_and_get_their_certificate_from_cert_manager():
    for ingress in k8s_of_kind("Ingress"):
        annotations = ingress["metadata"]["annotations"]
        assert annotations["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"
    annotations = k8s_named("Ingress", "nexus")["metadata"]["annotations"]
    assert annotations["cert-manager.io/cluster-issuer"]


# --- Monitoring and CI ---------------------------------------------------------------------------


def test_prometheus_scrapes_each_compose_replica_and_loads_its_rules():
    config = yaml.safe_load((ROOT / "deploy/monitoring/prometheus.yml").read_text())
    job = config["scrape_configs"][0]
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == [f"web-1:{WEB_PORT}", f"web-2:{WEB_PORT}"]
    rules = yaml.safe_load((ROOT / "deploy/monitoring/alerts.yml").read_text())
    assert all(rule["expr"] for group in rules["groups"] for rule in group["rules"])
    annotations = pod_templates()["nexus-web"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(WEB_PORT)
    assert annotations["prometheus.io/path"] == "/metrics"


def test_github_workflow_runs_the_test_command():
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any(re.search(r"(^|\s)(bash \.ci/run|make test)(\s|$)", run) for run in runs), (
        "no step runs `bash .ci/run` or `make test`"
    )


def test_jenkinsfile_runs_the_test_command():
    text = (ROOT / "Jenkinsfile").read_text()
    assert re.search(r"""\bsh\s+['"](bash \.ci/run|make test)['"]""", text)


# --- The micro-cache, the same in every deployment -----------------------------------------------


def micro_cache_configs() -> dict[str, str]:
    return {
        **{path: (ROOT / path).read_text() for path in NGINX_CONFIGS},
        "deploy/k8s/cache.yaml": k8s_named("ConfigMap", "nexus-cache-nginx")["data"][
            "default.conf"
        ],
    }


@pytest.mark.parametrize(
    "name", ["deploy/nginx/nexus.conf", "deploy/local/nginx.conf.template", "deploy/k8s/cache.yaml"]
)
def test_every_micro_cache_passes_personal_requests_through_and_stores_none(name):
    text = micro_cache_configs()[name]
    personal = re.search(r'map "([^"]+)" \$nexus_personal', text)
    assert personal, "no map of the requests that carry someone's own credentials"
    assert set(personal[1].split("$")[1:]) == {
        "http_authorization",
        "cookie_sessionid",
        "cookie_messages",
    }
    page_location = text[text.index("location / {") :]
    assert "proxy_cache_bypass $nexus_personal;" in page_location
    assert "proxy_no_cache $nexus_personal;" in page_location
    assert "proxy_cache_lock on;" in page_location
    # No lifetime of nginx's own: only what the app marks public is kept, for as long as it says.
    assert "proxy_cache_valid" not in text
    assert "proxy_ignore_headers" not in text


def test_the_k8s_micro_cache_config_is_accepted_by_nginx(tmp_path):
    server = micro_cache_configs()["deploy/k8s/cache.yaml"]
    server = server.replace("nexus-web.nexus.svc.cluster.local:80", "127.0.0.1:18101")
    server = server.replace("/var/cache/nginx/nexus", str(tmp_path / "cache"))
    server = server.replace("/var/log/nginx/access.log", str(tmp_path / "access.log"))
    server = server.replace("listen 8080;", "listen 127.0.0.1:18180;")
    assert_nginx_accepts(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n{server}\n}}\n", tmp_path
    )
