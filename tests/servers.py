"""Real servers a test starts: gunicorn serving nexus.wsgi on a free loopback port."""

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
    server = subprocess.Popen(
        [str(GUNICORN), "nexus.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
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
            assert time.monotonic() < deadline, "gunicorn did not answer within 120 s"
            time.sleep(0.5)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
