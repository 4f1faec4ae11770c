"""The native topology as tests drive it: deploy/local/up and down around the session, an SMTP
server its worker sends to, and helpers that act on it (its environment, users, API tokens).

tests/deploy/conftest.py makes the fixtures one per session for every module that uses them, so
that test_local_topology.py and test_rolling_restart.py share one topology and one mailbox.
"""

import email
import email.policy
import functools
import json
import os
import shlex
import socketserver
import ssl
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN_DIR = Path(os.environ.get("NEXUS_LOCAL_RUN_DIR", ROOT / "deploy/local/.run"))
NGINX_PORT = int(os.environ.get("NEXUS_LOCAL_NGINX_PORT", "8180"))
NGINX_TLS_PORT = int(os.environ.get("NEXUS_LOCAL_NGINX_TLS_PORT", "8443"))
# Visitors come over HTTPS; plain HTTP is only the probes and the redirect away from it.
BASE_URL = f"https://127.0.0.1:{NGINX_TLS_PORT}"
PLAIN_URL = f"http://127.0.0.1:{NGINX_PORT}"
LOCAL_CA = RUN_DIR / "tls/ca/ca.pem"
UP_TIMEOUT_SECONDS = 420


# --- A minimal SMTP server: enough of RFC 5321 for Django's SMTP backend ------------------------


@dataclass
class Mailbox:
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def add(self, recipients: list[str], raw: bytes) -> None:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self.arrived:
            self.messages.append((recipients, message))
            self.arrived.notify_all()

    def wait_for(self, recipient: str, timeout: float) -> EmailMessage | None:
        def find() -> EmailMessage | None:
            return next((msg for rcpts, msg in self.messages if recipient in rcpts), None)

        with self.arrived:
            self.arrived.wait_for(lambda: find() is not None, timeout=timeout)
            return find()


class SMTPHandler(socketserver.StreamRequestHandler):
    server: "SMTPServer"

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in {b".\r\n", b".\n", b""}:
            lines.append(line[1:] if line.startswith(b"..") else line)  # undo dot-stuffing
        return b"".join(lines)

    def handle(self) -> None:
        self.reply("220 nexus-test-smtp ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            verb, _, argument = line.decode("utf-8", "replace").strip().partition(" ")
            verb = verb.upper()
            if verb in {"EHLO", "HELO", "NOOP", "MAIL"}:
                self.reply("250 OK")
            elif verb == "RSET":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(argument.partition(":")[2].strip().strip("<>").lower())
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.server.mailbox.add(recipients, self.read_data())
                recipients = []
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SMTPHandler)
        self.mailbox = Mailbox()


# Session-scoped: in a parallel, randomly ordered run this module's tests need not run back to back
# on their worker, and bringing the whole topology up again for each of them costs half a minute.
@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# --- The topology ---------------------------------------------------------------------------------


def run_script(name: str, env: dict[str, str], timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "deploy/local" / name)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def topology(smtp_server: SMTPServer) -> Iterator[None]:
    env = {**os.environ, "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.server_address[1]}"}
    try:
        up = run_script("up", env, UP_TIMEOUT_SECONDS)
        if up.returncode != 0:
            pytest.fail(f"deploy/local/up failed:\n{up.stdout}\n{up.stderr}", pytrace=False)
        yield
    finally:
        down = run_script("down", env, 180)
        assert down.returncode == 0, down.stderr


def topology_env() -> dict[str, str]:
    """The environment deploy/local/up gave its processes (deploy/local/.run/env)."""
    env = {"PATH": f"{ROOT / '.venv/bin'}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    for line in (RUN_DIR / "env").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = shlex.split(line)[0].partition("=")
            env[name] = value
    return env


@functools.cache
def local_ca_context() -> ssl.SSLContext:
    """Verifies nginx's certificate against the CA deploy/local/up made, and nothing else."""
    return ssl.create_default_context(cafile=LOCAL_CA)


def require_topology_test(what: str) -> None:
    """Skip the calling module unless NEXUS_TOPOLOGY_TEST=1 asks for the native topology."""
    if os.environ.get("NEXUS_TOPOLOGY_TEST") != "1":
        pytest.skip(
            f"{what}; set NEXUS_TOPOLOGY_TEST=1 to run it (.ci/run does)", allow_module_level=True
        )


def manage(*arguments: str, env: dict[str, str] | None = None, timeout: int = 120) -> None:
    """manage.py against the topology (its environment, plus `env`); fails the test on an error."""
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", *arguments],
        cwd=ROOT,
        env={**topology_env(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def create_user(email_address: str, password: str) -> None:
    manage(
        "createsuperuser",
        "--noinput",
        env={
            "DJANGO_SUPERUSER_EMAIL": email_address,
            "DJANGO_SUPERUSER_PASSWORD": password,
            "DJANGO_SUPERUSER_DISPLAY_NAME": "Topology Test",
        },
    )


def api_token(email_address: str, password: str) -> str:
    request = urllib.request.Request(
        BASE_URL + "/api/v1/auth/token/",
        data=json.dumps({"email": email_address, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10, context=local_ca_context()) as response:
        return json.load(response)["access"]
