"""Real servers a test starts on a free loopback port: gunicorn serving nexus.wsgi, and
`manage.py serve` (granian), as `make run` starts it."""

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int, path: str = "/healthz") -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextlib.contextmanager
def gunicorn(**env: str) -> Iterator[int]:
    """gunicorn with one sync worker and these environment variables added; yields its port."""
    port = free_port()
    command = [str(GUNICORN), "nexus.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    with _running("gunicorn", [*command, "--workers", "1"], port, env) as port:
        yield port


@contextlib.contextmanager
def serve(**env: str) -> Iterator[int]:
    """`manage.py serve` with these environment variables added; yields its port."""
    port = free_port()
    command = [sys.executable, "manage.py", "serve", "--port", str(port)]
    with _running("manage.py serve", command, port, env) as port:
        yield port


@contextlib.contextmanager
def _running(name: str, command: list[str], port: int, env: dict[str, str]) -> Iterator[int]:
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # The socket accepts before the worker has loaded Django: wait for an answer.
        deadline = time.monotonic() + 120
        while not answers(port):
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, f"{name} did not answer within 120 s"
            time.sleep(0.5)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
