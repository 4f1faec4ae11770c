"""The single-host firewall (deploy/firewall) lets in SSH, HTTP and HTTPS and nothing else.

The rendered ruleset is loaded inside a network namespace of the test's own, never into the
host's tables: listeners on every port Nexus uses run in the namespace, and the host probes them
over a veth pair, over IPv4 and IPv6. A closed port must time out (dropped), not be refused (a
refusal would tell a scanner the host is there). The binding audit checks the other lock: every
service deploy/local/up starts listens on loopback.

The namespace tests need root, nft and `ip netns`; .ci/run runs as root and installs nftables
and iproute2, so their skip is not allowed in CI (tests/skips.py).
"""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RENDER = ROOT / "deploy" / "firewall" / "render"
APPLY = ROOT / "deploy" / "firewall" / "apply"

PUBLIC_PORTS = [22, 80, 443]
# PostgreSQL, Redis, RabbitMQ (AMQP, management, epmd, clustering), gunicorn web-1 and web-2,
# the local nginx (HTTP and HTTPS), and a Prometheus exporter.
CLOSED_PORTS = [5432, 6379, 5672, 15672, 4369, 25672, 8101, 8102, 8180, 8443, 9100]
PROBE_TIMEOUT = 1.5

# One process in the namespace listens on every port given, IPv4 and IPv6, and accepts forever.
LISTENER = """
import selectors, socket, sys
chooser = selectors.DefaultSelector()
for port in map(int, sys.argv[1:]):
    server = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("::", port))
    server.listen(16)
    chooser.register(server, selectors.EVENT_READ)
print("ready", flush=True)
while True:
    for key, _ in chooser.select():
        key.fileobj.accept()[0].close()
"""


# probe() (below), run by a Python started inside the namespace.
PROBE_FROM_INSIDE = (
    "import sys; sys.path.insert(0, {root!r}); "
    "from tests.deploy.test_firewall import probe; print(probe('127.0.0.1', {port}))"
)


def render(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RENDER)],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def rendered(**env: str) -> str:
    result = render(**env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def run(*command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=30, check=check)


def probe(address: str, port: int) -> str:
    """'connected', 'refused' or 'timed out': what a client out there would see."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as client:
        client.settimeout(PROBE_TIMEOUT)
        try:
            client.connect((address, port))
        except ConnectionRefusedError:
            return "refused"
        except TimeoutError:
            return "timed out"
    return "connected"


def probe_all(address: str, ports: list[int]) -> dict[int, str]:
    with ThreadPoolExecutor(max_workers=len(ports)) as pool:
        return dict(zip(ports, pool.map(lambda port: probe(address, port), ports), strict=True))


def print_table(title: str, expected: dict[int, str], results: dict[int, str]) -> None:
    print(f"\n{title}\n{'port':>6}  {'expected':<10}  result")
    for port, want in expected.items():
        mark = "" if results[port] == want else "   <-- WRONG"
        print(f"{port:>6}  {want:<10}  {results[port]}{mark}")


def namespace_support_missing() -> str | None:
    if os.geteuid() != 0:
        return "not root"
    for tool in ["nft", "ip"]:
        if shutil.which(tool) is None:
            return f"no {tool} on PATH (apt-get install nftables iproute2)"
    if not Path("/proc/self/ns/net").exists():
        return "no network namespace support in this kernel"
    return None


@dataclass
class Namespace:
    """A network namespace joined to the host by a veth pair, with listeners on every port."""

    name: str
    host_v4: str
    inside_v4: str
    inside_v6: str
    subnet_v4: str

    def exec(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run("ip", "netns", "exec", self.name, *command, check=check)

    def load(self, ruleset: str, tmp_path: Path) -> None:
        path = tmp_path / "nexus.nft"
        path.write_text(ruleset)
        self.exec("nft", "-f", str(path))

    def dropped_packets(self) -> int:
        listing = self.exec("nft", "list", "counter", "inet", "nexus", "dropped").stdout
        match = re.search(r"packets (\d+)", listing)
        assert match, listing
        return int(match.group(1))


def free_octet() -> int:
    """A third octet x such that nothing on the host routes 10.231.x.0/30 yet."""
    for _ in range(50):
        octet = secrets.randbelow(256)
        if not run("ip", "-4", "route", "show", f"10.231.{octet}.0/30").stdout.strip():
            return octet
    raise AssertionError("no free 10.231.x.0/30 subnet on this host")


@pytest.fixture
def namespace() -> Iterator[Namespace]:
    missing = namespace_support_missing()
    if missing:
        pytest.skip(f"the firewall namespace test needs root, nft and ip netns: {missing}")
    suffix = secrets.token_hex(3)
    octet = free_octet()
    ns = Namespace(
        name=f"nxfw-{suffix}",
        host_v4=f"10.231.{octet}.1",
        inside_v4=f"10.231.{octet}.2",
        inside_v6=f"fd31:231:{octet:x}::2",
        subnet_v4=f"10.231.{octet}.0/30",
    )
    host_end, inside_end = f"nxfw{suffix}h", f"nxfw{suffix}n"
    listener = None
    run("ip", "netns", "add", ns.name)
    try:
        run("ip", "link", "add", host_end, "type", "veth", "peer", "name", inside_end)
        run("ip", "link", "set", inside_end, "netns", ns.name)
        run("ip", "addr", "add", f"{ns.host_v4}/30", "dev", host_end)
        run("ip", "-6", "addr", "add", f"fd31:231:{octet:x}::1/64", "dev", host_end, "nodad")
        run("ip", "link", "set", host_end, "up")
        ns.exec("ip", "addr", "add", f"{ns.inside_v4}/30", "dev", inside_end)
        ns.exec("ip", "-6", "addr", "add", f"{ns.inside_v6}/64", "dev", inside_end, "nodad")
        ns.exec("ip", "link", "set", inside_end, "up")
        ns.exec("ip", "link", "set", "lo", "up")
        ports = [str(port) for port in PUBLIC_PORTS + CLOSED_PORTS]
        listener = subprocess.Popen(
            ["ip", "netns", "exec", ns.name, sys.executable, "-c", LISTENER, *ports],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert listener.stdout is not None
        assert listener.stdout.readline().strip() == "ready", "the listeners did not start"
        yield ns
    finally:
        if listener is not None:
            listener.kill()
            listener.wait(timeout=10)
        # Deleting the namespace deletes its end of the veth pair, and with it the host's end.
        run("ip", "netns", "delete", ns.name, check=False)
        run("ip", "link", "delete", host_end, check=False)


# --- Rendering -----------------------------------------------------------------------------------


def test_rendered_ruleset_passes_nft_check_and_a_broken_one_fails(namespace, tmp_path):
    for env in [
        {},
        {"NEXUS_FW_PRIVATE_NETS": "10.0.0.0/8,fd00::/8", "NEXUS_FW_PRIVATE_PORTS": "5432,6379"},
    ]:
        good = tmp_path / "good.nft"
        good.write_text(rendered(**env))
        namespace.exec("nft", "-c", "-f", str(good))
    broken = tmp_path / "broken.nft"
    broken.write_text(rendered().replace("policy drop;", "policy dorp;", 1))
    result = namespace.exec("nft", "-c", "-f", str(broken), check=False)
    assert result.returncode != 0
    assert "dorp" in result.stderr
    # The check changes nothing: the namespace has no nexus table afterwards.
    assert "nexus" not in namespace.exec("nft", "list", "tables").stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"NEXUS_FW_PRIVATE_PORTS": "5432,70000"},
            "NEXUS_FW_PRIVATE_PORTS: '70000' is not a TCP port",
        ),
        ({"NEXUS_FW_PRIVATE_PORTS": "redis"}, "NEXUS_FW_PRIVATE_PORTS: 'redis' is not a TCP port"),
        ({"NEXUS_FW_PRIVATE_NETS": "10.0.0.0/33"}, "NEXUS_FW_PRIVATE_NETS: '10.0.0.0/33' is not"),
        (
            {"NEXUS_FW_PRIVATE_NETS": "10.0.0.0/8; flush ruleset"},
            "NEXUS_FW_PRIVATE_NETS: '10.0.0.0/8;flushruleset'",
        ),
        ({"NEXUS_FW_PRIVATE_NETS": "", "NEXUS_FW_PRIVATE_PORTS": "5432"}, "names no network"),
        ({"NEXUS_FW_SSH_RATE": "fast"}, "NEXUS_FW_SSH_RATE: 'fast' is not a rate"),
        ({"NEXUS_FW_LOG_RATE": "1/minute } accept"}, "NEXUS_FW_LOG_RATE"),
    ],
)
def test_render_refuses_a_bad_value_naming_the_variable(env, message):
    result = render(**env)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_by_default_no_port_is_opened_to_the_private_network():
    text = rendered()
    assert "saddr {" not in text
    assert "no port opened to the private network" in text
    assert re.search(r"^\s*tcp dport \{ 22, 80, 443 \} accept$", text, re.MULTILINE)


# --- In the namespace ------------------------------------------------------------------------------


def test_only_ssh_http_and_https_answer_from_outside(namespace, tmp_path):
    # Before: every listener answers, so a timeout below is the firewall's doing.
    before = probe_all(namespace.inside_v4, PUBLIC_PORTS + CLOSED_PORTS)
    assert set(before.values()) == {"connected"}, before

    ruleset = rendered()
    namespace.load(ruleset, tmp_path)
    namespace.load(ruleset, tmp_path)  # loading twice replaces the table, nothing piles up

    expected = dict.fromkeys(PUBLIC_PORTS, "connected") | dict.fromkeys(CLOSED_PORTS, "timed out")
    for address in [namespace.inside_v4, namespace.inside_v6]:
        results = probe_all(address, list(expected))
        print_table(f"from the host to {address}", expected, results)
        assert results == expected

    # Inside, loopback still reaches the backing services.
    inside = namespace.exec(
        sys.executable, "-c", PROBE_FROM_INSIDE.format(root=str(ROOT), port=5432)
    )
    assert inside.stdout.strip() == "connected"
    dropped = namespace.dropped_packets()
    print(f"dropped counter after the probes: {dropped} packets")
    assert dropped >= 2 * len(CLOSED_PORTS)
    assert namespace.exec("nft", "list", "tables").stdout.split().count("nexus") == 1


def test_new_ssh_connections_are_limited_per_source_and_http_is_not(namespace, tmp_path):
    namespace.load(rendered(NEXUS_FW_SSH_RATE="1/minute burst 5 packets"), tmp_path)
    attempts = 12
    with ThreadPoolExecutor(max_workers=attempts) as pool:
        ssh = list(pool.map(lambda _: probe(namespace.inside_v4, 22), range(attempts)))
    http = [probe(namespace.inside_v4, 80) for _ in range(attempts)]
    print(
        f"\n{attempts} new SSH connections at once: {ssh.count('connected')} connected, "
        f"{ssh.count('timed out')} timed out; HTTP: {http.count('connected')} connected"
    )
    # The burst (5, give or take the one the rate refills) gets in, the rest are dropped.
    assert 5 <= ssh.count("connected") <= 6
    assert ssh.count("timed out") == attempts - ssh.count("connected")
    assert http == ["connected"] * attempts


def test_the_private_network_reaches_only_the_ports_opened_to_it(namespace, tmp_path):
    ruleset = rendered(
        NEXUS_FW_PRIVATE_NETS=namespace.subnet_v4, NEXUS_FW_PRIVATE_PORTS="5432,5672"
    )
    namespace.load(ruleset, tmp_path)
    expected = {
        443: "connected",
        5432: "connected",
        5672: "connected",
        6379: "timed out",
        8101: "timed out",
    }
    results = probe_all(namespace.inside_v4, list(expected))
    print_table(f"from the private network {namespace.subnet_v4}", expected, results)
    assert results == expected
    # The IPv6 side is not in NEXUS_FW_PRIVATE_NETS: PostgreSQL stays closed to it.
    assert probe(namespace.inside_v6, 5432) == "timed out"


def test_apply_checks_and_loads_nothing_unless_asked(namespace):
    result = namespace.exec(str(APPLY))
    assert "passes nft -c" in result.stderr
    assert "not loaded" in result.stderr
    assert "nexus" not in namespace.exec("nft", "list", "tables").stdout
    namespace.exec(str(APPLY), "--apply")
    assert "table inet nexus" in namespace.exec("nft", "list", "tables").stdout


# --- Listen addresses ------------------------------------------------------------------------------


def test_every_service_deploy_local_up_starts_listens_on_loopback():
    up = (ROOT / "deploy/local/up").read_text()
    binds = re.findall(r"--bind\s+\"?([^\s\"]+)", up + (ROOT / "deploy/local/lib.sh").read_text())
    # redis-server and both gunicorn replicas (lib.sh's start_web serves web-1 and web-2).
    assert binds == ["127.0.0.1", "127.0.0.1:$port"], binds
    nginx = (ROOT / "deploy/local/nginx.conf.template").read_text()
    listens = re.findall(r"^\s*listen\s+([^;]+);", nginx, re.MULTILINE)
    assert listens == ["127.0.0.1:@NGINX_TLS_PORT@ ssl", "127.0.0.1:@NGINX_PORT@"], listens
    everything = up + nginx + (ROOT / "deploy/local/lib.sh").read_text()
    assert not re.search(r"0\.0\.0\.0|\[::\]|\*:\d", everything)
    # Every URL the app processes are given points at loopback.
    lib = (ROOT / "deploy/local/lib.sh").read_text()
    for name in ["DATABASE_URL_LOCAL", "REDIS_URL_LOCAL", "BROKER_URL_LOCAL"]:
        (default,) = re.findall(rf"^{name}=\$\{{[A-Z_]+:-([^}}]+)\}}$", lib, re.MULTILINE)
        assert "@127.0.0.1:" in default or "//127.0.0.1:" in default, (name, default)


def test_compose_publishes_only_nginx_beyond_this_machine():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    public: dict[str, list[str]] = {}
    for name, service in services.items():
        for mapping in service.get("ports", []):
            if not str(mapping).startswith("127.0.0.1:"):
                public.setdefault(name, []).append(mapping)
    assert public == {"nginx": ["80:80", "443:443"]}
