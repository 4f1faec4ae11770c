"""The native topology (deploy/local/up) with faults to inject, for bench/faults.py and bench/soak.

Redis and RabbitMQ here are servers of the benchmark's own, on ports of their own, so stopping
them for a fault never touches the servers other programs on this machine use. PostgreSQL is
shared (the topology has a database of its own there) and is never stopped.

Also here: a webhook receiver and an SMTP catcher on 127.0.0.1 that count what arrives, and the
Django setup that lets a benchmark seed data and check invariants straight from the database.
"""

import contextlib
import email
import email.policy
import json
import os
import shlex
import shutil
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUN_DIR = REPO / "deploy/local/.run"
RESULTS = REPO / "bench/results"
NGINX_PORT = int(os.environ.get("NEXUS_LOCAL_NGINX_PORT", "8180"))
NGINX_TLS_PORT = int(os.environ.get("NEXUS_LOCAL_NGINX_TLS_PORT", "8443"))
# nginx serves the site over HTTPS only (plain HTTP redirects), signed by up's local CA.
BASE_URL = f"https://127.0.0.1:{NGINX_TLS_PORT}"
LOCAL_CA = RUN_DIR / "tls/ca/ca.pem"
# Ports of the benchmark's own Redis and RabbitMQ (and RabbitMQ's distribution port).
REDIS_PORT = int(os.environ.get("NEXUS_BENCH_REDIS_PORT", "6391"))
AMQP_PORT = int(os.environ.get("NEXUS_BENCH_AMQP_PORT", "5691"))
# The receivers' ports are fixed too, so a topology left up can be reused (NEXUS_BENCH_REUSE).
SMTP_PORT = int(os.environ.get("NEXUS_BENCH_SMTP_PORT", "8125"))
HOOK_PORT = int(os.environ.get("NEXUS_BENCH_HOOK_PORT", "8126"))
# For developing a benchmark only: reuse a topology that is up, and leave it up at the end
# (deploy/local/up spends minutes collecting static files on a busy machine).
REUSE = os.environ.get("NEXUS_BENCH_REUSE") == "1"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait_until(
    predicate: Callable[[], bool], timeout: float, what: str, step: float = 0.5
) -> float:
    """Poll until `predicate()` holds; returns the seconds it took, raises after `timeout`."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"gave up after {timeout:.0f}s waiting for {what}")
        time.sleep(step)
    return time.monotonic() - start


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- Backing services of the benchmark's own ------------------------------------------------------


class PrivateRedis:
    """redis-server on a port of its own, nothing persisted."""

    def __init__(self, port: int = REDIS_PORT) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/1"
        self.dir = Path(tempfile.gettempdir()) / f"nexus-bench-redis-{port}"
        self.dir.mkdir(exist_ok=True)

    def start(self) -> None:
        if port_open(self.port):
            return
        subprocess.run(
            ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", str(self.dir), "--pidfile", str(self.dir / "redis.pid"),
             "--logfile", str(self.dir / "redis.log"), "--save", "", "--appendonly", "no"],
            check=True,
        )  # fmt: skip
        wait_until(lambda: port_open(self.port), 30, "Redis to listen")

    def stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"],
            capture_output=True,
            check=False,
        )
        wait_until(lambda: not port_open(self.port), 30, "Redis to stop")

    def remove(self) -> None:
        if port_open(self.port):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRabbitMQ:
    """A RabbitMQ node of its own (name, ports, data directory) beside any other one here."""

    def __init__(self, port: int = AMQP_PORT) -> None:
        self.port = port
        self.node = f"nexus-bench-{port}@localhost"
        self.url = f"amqp://guest:guest@127.0.0.1:{port}//"
        self.dir = Path(tempfile.gettempdir()) / f"nexus-bench-rabbitmq-{port}"
        self.dir.mkdir(exist_ok=True)
        (self.dir / "enabled_plugins").write_text("[].\n")
        if os.geteuid() == 0:  # the Debian scripts run the server as the rabbitmq user
            shutil.chown(self.dir, "rabbitmq")
            shutil.chown(self.dir / "enabled_plugins", "rabbitmq")
        self.env = {
            **os.environ,
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(port),
            "RABBITMQ_DIST_PORT": str(port + 20000),
            "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.dir / "log"),
            "RABBITMQ_PID_FILE": str(self.dir / "rabbitmq.pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq"),
        }

    def ctl(self, *args: str, timeout: float = 180) -> None:
        subprocess.run(
            ["rabbitmqctl", "-n", self.node, *args],
            env=self.env, capture_output=True, check=True, timeout=timeout,
        )  # fmt: skip

    def booted(self) -> bool:
        try:
            self.ctl("await_startup", timeout=60)
        except subprocess.SubprocessError:  # not registered yet, or still booting
            return False
        return True

    def start(self) -> None:
        if not port_open(self.port):
            subprocess.run(["rabbitmq-server", "-detached"], env=self.env, check=True)
        wait_until(self.booted, 180, "RabbitMQ to boot", step=2)
        wait_until(lambda: port_open(self.port), 60, "RabbitMQ's AMQP listener")

    def stop(self) -> None:
        self.ctl("stop")
        wait_until(lambda: not port_open(self.port), 60, "RabbitMQ to stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, TimeoutError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# --- Receivers ------------------------------------------------------------------------------------


@dataclass
class WebhookLog:
    """Every POST received: delivery id (the idempotency key) and the event it is about."""

    posts: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keys_per_event(self) -> dict[str, set[str]]:
        with self.lock:
            keys: dict[str, set[str]] = {}
            for delivery, event in self.posts:
                keys.setdefault(event, set()).add(delivery)
            return keys

    def repeats(self) -> int:
        """POSTs that repeated a delivery id already received (the receiver deduplicates them)."""
        with self.lock:
            return len(self.posts) - len({delivery for delivery, _ in self.posts})


class WebhookReceiver(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, delay: float = 0.05) -> None:
        self.log = WebhookLog()
        self.delay = delay  # a receiver that takes a moment, so kills land mid-POST too
        super().__init__(("127.0.0.1", HOOK_PORT), _WebhookHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _WebhookHandler(BaseHTTPRequestHandler):
    server: WebhookReceiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(self.server.delay)
        event = json.loads(body).get("event_id", "")
        with self.server.log.lock:
            self.server.log.posts.append((self.headers.get("X-Nexus-Delivery", ""), event))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class SMTPCatcher(socketserver.ThreadingTCPServer):
    """Enough SMTP for Django's backend; counts messages by Message-ID."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.message_ids: Counter[str] = Counter()
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", SMTP_PORT), _SMTPHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.server_address[1]}"


class _SMTPHandler(socketserver.StreamRequestHandler):
    server: SMTPCatcher

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 nexus-bench ESMTP")
        while line := self.rfile.readline():
            verb = line.decode("utf-8", "replace").strip().split(" ")[0].upper()
            if verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) not in {b".\r\n", b".\n", b""}:
                    lines.append(data[1:] if data.startswith(b"..") else data)
                message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                with self.server.lock:
                    self.server.message_ids[str(message["Message-ID"])] += 1
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")


# What the benchmarks' app processes get on top of deploy/local/up's production settings: the
# webhook receiver and the SMTP catcher listen on loopback, and retries come back in seconds.
BENCH_APP_ENV = {
    "NEXUS_OUTBOUND_ALLOW_LOOPBACK": "True",
    "NEXUS_WEBHOOK_RETRY_BASE_SECONDS": "2",
    "NEXUS_BASE_URL": BASE_URL,
}


# --- The topology ---------------------------------------------------------------------------------


class Topology:
    """deploy/local/up on the benchmark's own Redis and RabbitMQ, with faults to inject."""

    def __init__(self, *, email_url: str, app_env: dict[str, str] = BENCH_APP_ENV) -> None:
        self.redis = PrivateRedis()
        self.rabbitmq = PrivateRabbitMQ()
        self.env = {
            **os.environ,
            "EMAIL_URL": email_url,
            "NEXUS_LOCAL_REDIS_URL": self.redis.url,
            "NEXUS_LOCAL_BROKER_URL": self.rabbitmq.url,
            "NEXUS_LOCAL_APP_ENV": " ".join(f"{k}={v}" for k, v in app_env.items()),
        }

    def script(self, *args: str, timeout: float = 600) -> None:
        result = subprocess.run(
            [str(REPO / "deploy/local" / args[0]), *args[1:]],
            env=self.env, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"deploy/local/{' '.join(args)} failed:\n{result.stderr[-3000:]}")

    @contextlib.contextmanager
    def running(self) -> Iterator["Topology"]:
        if REUSE and port_open(NGINX_PORT):
            log("reusing the topology that is up (NEXUS_BENCH_REUSE=1)")
            yield self
            return
        if port_open(NGINX_PORT):
            raise RuntimeError(f"port {NGINX_PORT} is taken: is another topology up?")
        try:
            log(f"starting Redis :{self.redis.port} and RabbitMQ :{self.rabbitmq.port} of our own")
            self.redis.start()
            self.rabbitmq.start()
            log("deploy/local/up")
            self.script("up")
            yield self
        finally:
            if REUSE:
                log("left up (NEXUS_BENCH_REUSE=1): stop it with bench/topology.py down")
            else:
                self.take_down()

    def take_down(self) -> None:
        log("deploy/local/down")
        with contextlib.suppress(Exception):
            self.script("down", timeout=240)
        self.rabbitmq.remove()
        self.redis.remove()

    def app_environment(self) -> dict[str, str]:
        """The environment deploy/local/up gave its processes (deploy/local/.run/env)."""
        values = {}
        for line in (RUN_DIR / "env").read_text().splitlines():
            if line and not line.startswith("#"):
                name, _, value = shlex.split(line)[0].partition("=")
                values[name] = value
        return values

    def worker_pid(self) -> int:
        return int((RUN_DIR / "worker.pid").read_text())

    def kill_worker_node(self) -> None:
        """SIGKILL the worker and its pool, as a lost machine; then restart it, as a supervisor."""
        os.killpg(os.getpgid(self.worker_pid()), signal.SIGKILL)
        self.script("up", "worker")

    def kill_pool_process(self) -> int:
        """SIGKILL one of the worker's pool processes, as the out-of-memory killer would."""
        children = Path(f"/proc/{self.worker_pid()}/task/{self.worker_pid()}/children")
        pids = [int(pid) for pid in children.read_text().split()]
        os.kill(pids[0], signal.SIGKILL)
        return pids[0]


def setup_django(topology: Topology) -> None:
    """Django in this process, on the topology's database and broker."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")
    os.environ.update(topology.app_environment())
    sys.path.insert(0, str(REPO))

    django.setup()


# --- HTTP -----------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]
    seconds: float

    def json(self) -> dict:
        return json.loads(self.body)


def local_ca_context() -> ssl.SSLContext:
    """Verifies nginx's certificate with the CA deploy/local/up made (it exists once up ran)."""
    return ssl.create_default_context(cafile=LOCAL_CA)


def request(
    method: str,
    path: str,
    *,
    data: dict | None = None,
    headers: dict[str, str] | None = None,
    form: bool = False,
    timeout: float = 30,
) -> Answer:
    """One HTTP request to the topology through nginx; never raises for an HTTP status."""
    body = None
    headers = {"Accept": "application/json", **(headers or {})}
    if data is not None and form:
        body = urllib.parse.urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    start = time.monotonic()
    req = urllib.request.Request(BASE_URL + path, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=local_ca_context()) as response:
            content = response.read()
            return Answer(
                response.status, content, dict(response.headers), time.monotonic() - start
            )
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read(), dict(error.headers), time.monotonic() - start)
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        return Answer(599, str(error).encode(), {}, time.monotonic() - start)


def is_server_error(answer: Answer) -> bool:
    """A 5xx, except a deliberate 503 with Retry-After (a guard refusing while it cannot count)."""
    if answer.status == 503 and "Retry-After" in answer.headers:
        return False
    return answer.status >= 500


def write_results(name: str, figures: dict, markdown: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2, default=str) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown)
    log(f"results: bench/results/{name}.json and .md")


if __name__ == "__main__":
    # `python bench/topology.py down`: take down a topology a benchmark left up.
    if sys.argv[1:] == ["down"]:
        Topology(email_url="").take_down()
