"""A test network on 127.0.0.1: a listener that counts what reaches it, a git server, a resolver
whose answers change, and a router for every connection the code under test opens.

DNS and the network are third parties, so tests fake them here; what they observe is how many
bytes ever reached the listener standing in for the inside of the network.
"""

import os
import socket
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"


class CountingListener:
    """Accepts every connection on 127.0.0.1 and counts the bytes sent to it; answers nothing."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((LOOPBACK, 0))
        self.socket.listen(64)
        self.port: int = self.socket.getsockname()[1]
        self.connections = 0
        self.received = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._drain, args=(connection,), daemon=True).start()

    def _drain(self, connection: socket.socket) -> None:
        # Read what the client sends, then hang up so that it never waits for an answer.
        connection.settimeout(0.5)
        with connection:
            while True:
                try:
                    chunk = connection.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                with self._lock:
                    self.received += len(chunk)

    def close(self) -> None:
        self.socket.close()


def address_info(address: str, port: Any) -> tuple[Any, ...]:
    """One getaddrinfo answer for an address, as the resolver gives it."""
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))


@dataclass
class ChangingDNS:
    """socket.getaddrinfo whose answers for a name change from one lookup to the next (the last
    one repeats); names it was not told about resolve to `default`."""

    default: list[str]
    answers: dict[str, list[list[str]]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)

    def answer(self, host: str, *answers: list[str]) -> None:
        self.answers[host] = list(answers)

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        self.lookups.append(str(host))
        queue = self.answers.get(str(host), [self.default])
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [address_info(address, port) for address in addresses]


@dataclass
class Router:
    """Every socket.connect of this process: to a route's server, else to the counting listener,
    which plays every address that is not a test server (the inside of the network)."""

    listener: CountingListener
    routes: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    attempts: list[tuple[str, int]] = field(default_factory=list)

    def install(self, monkeypatch: Any) -> None:
        real_connect = socket.socket.connect
        router = self

        def connect(sock: socket.socket, address: Any) -> None:
            asked = (str(address[0]), int(address[1]))
            router.attempts.append(asked)
            host, port = router.routes.get(asked, (LOOPBACK, router.listener.port))
            if sock.family == socket.AF_INET6:
                host = f"::ffff:{host}"
            return real_connect(sock, (host, port))

        def connect_ex(sock: socket.socket, address: Any) -> int:
            raise AssertionError("connect_ex would bypass the test network's router")

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@dataclass
class Redirect:
    target: str  # the base URL the repository's paths are sent to
    only_git: bool = False  # only git's own requests: the check sees the repository, git a 302


class GitServer(ThreadingHTTPServer):
    """Git's smart HTTP protocol on 127.0.0.1 (`git http-backend` as a CGI), serving the bare
    repositories under `root`; `redirects[name]` answers a repository's requests with a 302."""

    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__((LOOPBACK, 0), _GitHandler)
        self.root = root
        self.redirects: dict[str, Redirect] = {}
        self.requests: list[tuple[str, str, str]] = []  # method, path, User-Agent
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def url(self, repository: str, host: str = LOOPBACK) -> str:
        return f"http://{host}:{self.port}/{repository}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _GitHandler(BaseHTTPRequestHandler):
    server: GitServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        agent = self.headers.get("User-Agent", "")
        self.server.requests.append((self.command, self.path, agent))
        repository, _, rest = self.path.lstrip("/").partition("/")
        redirect = self.server.redirects.get(repository)
        if redirect is not None and (agent.startswith("git/") or not redirect.only_git):
            self.send_response(302)
            self.send_header("Location", f"{redirect.target}/{rest}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path, _, query = self.path.partition("?")
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.server.root),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_PROJECT_ROOT": str(self.server.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "HTTP_GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
            "REMOTE_ADDR": LOOPBACK,
        }
        output = subprocess.run(
            ["git", "http-backend"], input=body, env=environment, capture_output=True, check=False
        ).stdout
        head, _, payload = output.partition(b"\r\n\r\n")
        headers = [line.split(":", 1) for line in head.decode().splitlines() if ":" in line]
        status = next((int(v.split()[0]) for k, v in headers if k.lower() == "status"), 200)
        self.send_response(status)
        for name, value in headers:
            if name.lower() != "status":
                self.send_header(name, value.strip())
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def bare_repository(root: Path, name: str, files: dict[str, str]) -> Path:
    """A bare repository `root/name` holding `files` in one commit on main."""
    work = root / f"{name}-work"
    work.mkdir(parents=True)
    for path, text in files.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(text)
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main", str(work)], check=True)
    subprocess.run([*git, "-C", str(work), "add", "."], check=True)
    subprocess.run([*git, "-C", str(work), "commit", "-qm", "init"], check=True)
    bare = root / name
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    return bare
