"""The servers the benchmark starts beside the topology: the limits and the naive baseline.

The bare WSGI app and the naive baseline run on a copy of web-1's own command line and
environment (only the app, the port and the files it writes differ), so whatever server and
worker count deploy/local/up chooses, they are measured on the same one.
"""

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NEXUS_APP = "nexus.wsgi:application"
# Options whose value is a file the server writes: each copy writes its own.
FILE_OPTIONS = {"--pid", "--control-socket", "--access-logfile", "--error-logfile", "--log-file"}
# The replica is daemonised; a copy stays a child of the benchmark, which stops it.
DROPPED_FLAGS = {"--daemon", "-D"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError:
        return True  # it answered, whatever it thinks of the path
    except OSError:
        return False


def wait_for(url: str, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not answers(url):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not answer {url} within {timeout:.0f} s")
        time.sleep(0.3)


def process_command(pid: int) -> tuple[list[str], dict[str, str]]:
    """A running process's command line and environment, from /proc."""
    command = Path(f"/proc/{pid}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    environ = Path(f"/proc/{pid}/environ").read_bytes().rstrip(b"\0").split(b"\0")
    env = dict(item.decode().partition("=")[::2] for item in environ if b"=" in item)
    return [part.decode() for part in command], env


def same_server(command: list[str], *, app: str, port: int, workdir: Path) -> list[str]:
    """`command` (a replica's) serving `app` on `port`, writing its files under `workdir`."""
    if NEXUS_APP not in command:
        raise RuntimeError(f"cannot tell the app in the replica's command line: {command}")
    copied: list[str] = []
    parts = iter(command)
    for part in parts:
        name, equals, value = part.partition("=")
        if part == NEXUS_APP:
            copied.append(app)
        elif part in DROPPED_FLAGS:
            continue
        elif name in FILE_OPTIONS | {"--bind", "-b", "--port"}:
            value = value if equals else next(parts)
            if name in FILE_OPTIONS:
                value = str(workdir / f"{Path(value).name}")
            elif name == "--port":
                value = str(port)
            else:
                value = f"127.0.0.1:{port}"
            copied += [name, value]
        else:
            copied.append(part)
    return copied


class Processes:
    """Servers started for the run; all stopped at the end."""

    def __init__(self) -> None:
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, command: list[str], env: dict[str, str], log: Path) -> None:
        with log.open("ab") as output:
            self.running.append(
                subprocess.Popen(
                    command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT
                )
            )

    def stop(self) -> None:
        for process in self.running:
            process.terminate()
        for process in self.running:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


def start_copy(
    processes: Processes,
    replica_pid: int,
    *,
    app: str,
    name: str,
    workdir: Path,
    extra_env: dict[str, str],
) -> int:
    """Start `app` on a copy of the replica's server; returns its port once it answers."""
    command, env = process_command(replica_pid)
    port = free_port()
    own = workdir / name
    own.mkdir()
    processes.start(
        same_server(command, app=app, port=port, workdir=own),
        {**env, "NEXUS_REPLICA": name, **extra_env},
        own / "output.log",
    )
    wait_for(f"http://127.0.0.1:{port}/", name)
    return port


STATIC_CONFIG = """\
# The limit: nginx serving a file, nothing else. As root, its workers stay root so they can
# read the benchmark's temporary directory (loopback only, for the run's length).
{user}
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {dir}/tmp; proxy_temp_path {dir}/tmp; fastcgi_temp_path {dir}/tmp;
    uwsgi_temp_path {dir}/tmp; scgi_temp_path {dir}/tmp;
    types {{ }}
    default_type application/json;
    server {{
        listen 127.0.0.1:{port};
        root {dir}/www;
        location / {{ try_files /body.json =404; }}
    }}
}}
"""


def start_static_nginx(processes: Processes, body: bytes, workdir: Path) -> int:
    """nginx of the benchmark's own, answering every path with `body`; returns its port."""
    if shutil.which("nginx") is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    own = workdir / "static-nginx"
    (own / "www").mkdir(parents=True)
    (own / "tmp").mkdir()
    (own / "www" / "body.json").write_bytes(body)
    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""
    config = own / "nginx.conf"
    config.write_text(STATIC_CONFIG.format(user=user, dir=own, port=port))
    processes.start(
        ["nginx", "-c", str(config), "-e", str(own / "error.log"), "-g", "daemon off;"],
        dict(os.environ),
        own / "output.log",
    )
    wait_for(f"http://127.0.0.1:{port}/", "the static nginx")
    return port
