"""The Kubernetes NetworkPolicies (deploy/k8s/networkpolicy.yaml) say what docs/deploy.md says.

The manifests are rendered as `kubectl apply -k deploy/k8s` would send them: by `kubectl
kustomize` where kubectl is installed, otherwise by render_kustomization() below (the namespace
and labels transformers, the only ones kustomization.yaml uses; where both run, they must agree).
Each NetworkPolicy is validated against the Kubernetes OpenAPI schema of networking.k8s.io/v1
(kubernetes-validate, strict: an unknown or misspelt field fails). Then the policies are
evaluated per workload, as a cluster would: what may reach each pod, and what each pod may
reach, on which ports, must be exactly the intent below, the table in docs/deploy.md.
"""

import copy
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.32"

DNS = {("namespace kube-system", "53/UDP"), ("namespace kube-system", "53/TCP")}
BACKING_SERVICES = {("anywhere", "5432/TCP"), ("anywhere", "6379/TCP"), ("anywhere", "5672/TCP")}
OUTSIDE_WORLD = {("anywhere", f"{port}/TCP") for port in [25, 465, 587, 80, 443]}
# workload -> (who may reach it, what it may reach), as (peer, port/protocol) pairs.
INTENT: dict[str, tuple[set[tuple[str, str]], set[tuple[str, str]]]] = {
    "nexus-cache": (
        {("namespace ingress-nginx", "8080/TCP")},
        DNS | {("pods nexus/web", "8000/TCP")},
    ),
    "nexus-web": (
        {
            ("pods nexus-cache", "8000/TCP"),
            ("namespace ingress-nginx", "8000/TCP"),
            ("namespace monitoring", "8000/TCP"),
        },
        DNS | BACKING_SERVICES | {("anywhere", "443/TCP")},
    ),
    "nexus-worker": (set(), DNS | BACKING_SERVICES | OUTSIDE_WORLD),
    "nexus-beat": (set(), DNS | BACKING_SERVICES),
    "nexus-migrate": (set(), DNS | BACKING_SERVICES),
}


def render_kustomization() -> list[dict]:
    """deploy/k8s as kustomize renders it: each resource with the namespace and labels set."""
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert set(kustomization) <= {
        "apiVersion",
        "kind",
        "namespace",
        "labels",
        "resources",
        "images",
    }, "kustomization.yaml uses a transformer render_kustomization() does not know"
    objects = []
    for resource in kustomization["resources"]:
        for document in yaml.safe_load_all((K8S / resource).read_text()):
            if not document:
                continue
            metadata = document["metadata"]
            if document["kind"] != "Namespace":
                metadata["namespace"] = kustomization["namespace"]
            for entry in kustomization.get("labels", []):
                assert not entry.get("includeSelectors"), "selector labels are not rendered here"
                metadata.setdefault("labels", {}).update(entry["pairs"])
            objects.append(document)
    return objects


def render_with_kubectl() -> list[dict] | None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return None
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60, check=True
    )
    return [document for document in yaml.safe_load_all(result.stdout) if document]


@cache
def rendered() -> tuple[str, list[dict]]:
    """(which renderer, the objects)."""
    by_kubectl = render_with_kubectl()
    if by_kubectl is not None:
        return "kubectl kustomize", by_kubectl
    return "render_kustomization()", render_kustomization()


def of_kind(kind: str) -> list[dict]:
    return [copy.deepcopy(obj) for obj in rendered()[1] if obj["kind"] == kind]


def policies() -> list[dict]:
    return of_kind("NetworkPolicy")


def describe_peer(peer: dict) -> str:
    if "ipBlock" in peer:
        return f"addresses {peer['ipBlock']['cidr']}"
    if "namespaceSelector" in peer:
        assert "podSelector" not in peer, "a combined selector: describe it here before using it"
        return (
            f"namespace {peer['namespaceSelector']['matchLabels']['kubernetes.io/metadata.name']}"
        )
    labels = peer["podSelector"]["matchLabels"]
    component = labels.get("app.kubernetes.io/component")
    return "pods " + labels["app.kubernetes.io/name"] + (f"/{component}" if component else "")


def selects(policy: dict, pod_labels: dict[str, str]) -> bool:
    selector = policy["spec"]["podSelector"]
    assert set(selector) <= {"matchLabels"}, "only matchLabels selectors are evaluated here"
    return selector.get("matchLabels", {}).items() <= pod_labels.items()


def allowed(pod_labels: dict[str, str], direction: str) -> set[tuple[str, str]] | None:
    """What the policies admit in one direction ("ingress"/"egress"); None if not isolated."""
    peers_key = "from" if direction == "ingress" else "to"
    applying = [
        policy
        for policy in policies()
        if selects(policy, pod_labels) and direction.capitalize() in policy["spec"]["policyTypes"]
    ]
    if not applying:
        return None
    pairs = set()
    for policy in applying:
        for rule in policy["spec"].get(direction, []):
            peers = [describe_peer(peer) for peer in rule.get(peers_key, [])] or ["anywhere"]
            ports = [f"{port['port']}/{port.get('protocol', 'TCP')}" for port in rule["ports"]]
            pairs |= {(peer, port) for peer in peers for port in ports}
    return pairs


def workloads() -> dict[str, dict[str, str]]:
    """Pod labels of every Deployment and Job, by the object's name."""
    return {
        obj["metadata"]["name"]: obj["spec"]["template"]["metadata"]["labels"]
        for obj in rendered()[1]
        if obj["kind"] in {"Deployment", "Job"}
    }


# --- Rendering and schema ---------------------------------------------------------------------------


def test_rendered_policies_are_in_the_nexus_namespace():
    renderer, _ = rendered()
    names = sorted(policy["metadata"]["name"] for policy in policies())
    print(f"\nrendered by {renderer}: {len(names)} NetworkPolicies: {', '.join(names)}")
    assert len(names) == 6
    assert {policy["metadata"]["namespace"] for policy in policies()} == {"nexus"}
    assert all(
        policy["metadata"]["labels"]["app.kubernetes.io/part-of"] == "nexus"
        for policy in policies()
    )


def test_the_python_render_agrees_with_kubectl_kustomize_where_kubectl_runs():
    by_kubectl = render_with_kubectl()
    if by_kubectl is None:
        return  # nothing to compare with: rendered() used render_kustomization() itself
    by_python = render_kustomization()

    def key(obj: dict) -> tuple[str, str]:
        return obj["kind"], obj["metadata"]["name"]

    kubectl_policies = sorted((o for o in by_kubectl if o["kind"] == "NetworkPolicy"), key=key)
    python_policies = sorted((o for o in by_python if o["kind"] == "NetworkPolicy"), key=key)
    assert kubectl_policies == python_policies


def test_every_policy_is_valid_against_the_kubernetes_schema():
    for policy in policies():
        kubernetes_validate.validate(policy, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize(
    ("breakage", "path"),
    [
        (lambda spec: spec["ingress"][0]["ports"][0].update(port=[8000]), "port"),
        (lambda spec: spec["ingress"][0].update(form=spec["ingress"][0].pop("from")), "form"),
        (lambda spec: spec.update(podSelector="web"), "podSelector"),
    ],
    ids=["port-not-a-number", "misspelt-from", "selector-not-an-object"],
)
def test_the_schema_check_catches_a_broken_policy(breakage, path):
    (policy,) = [p for p in policies() if p["metadata"]["name"] == "nexus-web-ingress"]
    breakage(policy["spec"])
    with pytest.raises(kubernetes_validate.ValidationError) as caught:
        kubernetes_validate.validate(policy, KUBERNETES_VERSION, strict=True)
    assert path in str(caught.value)


# --- Intent ---------------------------------------------------------------------------------------


def test_everything_not_admitted_is_denied_for_every_pod_in_the_namespace():
    (deny,) = [p for p in policies() if p["spec"]["podSelector"] == {}]
    assert set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny["spec"]
    assert "egress" not in deny["spec"]
    for name, labels in workloads().items():
        assert allowed(labels, "ingress") is not None, f"{name} is not isolated for ingress"
        assert allowed(labels, "egress") is not None, f"{name} is not isolated for egress"


def test_each_workload_reaches_and_is_reached_by_exactly_what_the_intent_says():
    assert set(workloads()) == set(INTENT)
    print(f"\n{'workload':<14} {'direction':<8} peer -> port")
    for name, labels in sorted(workloads().items()):
        ingress, egress = INTENT[name]
        actual_ingress, actual_egress = allowed(labels, "ingress"), allowed(labels, "egress")
        for direction, pairs in [("in", actual_ingress or set()), ("out", actual_egress or set())]:
            for peer, port in sorted(pairs) or [("(nothing)", "")]:
                print(f"{name:<14} {direction:<8} {peer} -> {port}")
        assert actual_ingress == ingress, name
        assert actual_egress == egress, name


def test_only_workers_reach_mail_and_plain_http_outside():
    for name, labels in workloads().items():
        outside = {port for peer, port in allowed(labels, "egress") or set() if peer == "anywhere"}
        if name == "nexus-worker":
            assert {"25/TCP", "587/TCP", "80/TCP"} <= outside
        else:
            assert not outside & {"25/TCP", "465/TCP", "587/TCP", "80/TCP"}, name


def test_docs_table_names_every_policy_with_its_ports():
    docs = (ROOT / "docs" / "deploy.md").read_text()
    section = docs.split("### NetworkPolicy intent", 1)[1].split("\n#", 1)[0]
    rows = {
        match.group(1): match.group(2)
        for match in re.finditer(
            r"^\| `([a-z-]+)` \|[^|]*\|[^|]*\|([^|]*)\|", section, re.MULTILINE
        )
    }
    assert set(rows) == {policy["metadata"]["name"] for policy in policies()}
    for policy in policies():
        ports = {
            str(port["port"])
            for direction in ["ingress", "egress"]
            for rule in policy["spec"].get(direction, [])
            for port in rule["ports"]
        }
        documented = set(re.findall(r"\d+", rows[policy["metadata"]["name"]]))
        assert documented == ports, policy["metadata"]["name"]
