"""Which server `make run` uses, measured: the same pages on each candidate, in one run.

    make bench-servers                                  # 3 interleaved rounds of 10 s, c=16 and 64
    BENCH_ARGS="--seconds 5 --rounds 1" make bench-servers

Embedded mode keeps its cache, login limits and tasks in the one process, so every candidate is a
single process: Django's development server (what `make run` served before), gunicorn sync (one
request at a time), gunicorn gthread and granian (threads). Each serves Nexus (the anonymous
article list and the home page, on an SQLite database with the demo content, debug off) and a
bare WSGI app returning the article list's exact bytes (the most Python can do on that server).
wrk drives 127.0.0.1 at 16 and 64 connections, the servers taking turns round by round, and the
table gives req/s, p50 and p99 (medians over rounds) and each figure as a ratio of the best.
Results go to bench/results/servers.json and servers.md.
"""

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"
THREADS = 8


@dataclass(frozen=True)
class Server:
    name: str
    command: list[str]  # {app} and {port} are filled in


SERVERS = [
    Server(
        "runserver (before)", ["python", "manage.py", "runserver", "--noreload", "127.0.0.1:{port}"]
    ),
    Server("gunicorn sync x1", ["gunicorn", "{app}", "-b", "127.0.0.1:{port}", "-w", "1"]),
    Server(
        f"gunicorn gthread 1x{THREADS}",
        [
            "gunicorn",
            "{app}",
            "-b",
            "127.0.0.1:{port}",
            "-w",
            "1",
            "-k",
            "gthread",
            "--threads",
            str(THREADS),
        ],
    ),
    Server(
        f"granian 1x{THREADS}",
        [
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            "{port}",
            "--workers",
            "1",
            "--blocking-threads",
            str(THREADS),
            "{app}",
        ],
    ),
]
NEXUS_APP = "nexus.wsgi:application"
BARE_APP = "bench.bare_wsgi:application"
PAGES = {"article list": "/api/v1/articles/", "home page": "/"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def embedded_env(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    env.update(
        {
            "PATH": f"{VENV_BIN}:{env.get('PATH', '')}",
            "NEXUS_MODE": "embedded",
            "DEBUG": "false",
            "DATABASE_URL": f"sqlite:///{database}",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.pop("CELERY_BROKER_URL", None)
    return env


def prepare(env: dict[str, str]) -> None:
    for command in (["migrate", "--noinput"], ["bootstrap"], ["load_demo"]):
        subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )


def start(server: Server, app: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    args = [part.format(port=port, app=app) for part in server.command]
    if app == BARE_APP and args[0] == "python":
        # runserver serves Django only; the bare app goes on wsgiref's server the same way.
        args = ["python", "-c", f"import bench.bare_wsgi as b; b.serve_wsgiref({port})"]
    args[0] = str(VENV_BIN / args[0])
    process = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/articles/", timeout=5):
                return process, port
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"{server.name} did not start for {app}")


@dataclass
class Figure:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def drive(port: int, path: str, connections: int, seconds: int) -> Figure:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Figure(rps, p50, p99, errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")

    workdir = Path(tempfile.mkdtemp(prefix="nexus-bench-servers-"))
    env = embedded_env(workdir / "db.sqlite3")
    print("preparing an embedded database with the demo content …", flush=True)
    prepare(env)

    # The bare app answers with the bytes Nexus answers the article list with.
    first, _ = start(SERVERS[1], NEXUS_APP, env)
    running = {(SERVERS[1].name, NEXUS_APP): (first, _)}
    with urllib.request.urlopen(f"http://127.0.0.1:{_}{PAGES['article list']}") as response:
        (workdir / "body.json").write_bytes(response.read())
    env["BENCH_BODY_FILE"] = str(workdir / "body.json")

    targets = [(page, NEXUS_APP, path) for page, path in PAGES.items()]
    targets.append(("bare WSGI, same bytes", BARE_APP, PAGES["article list"]))
    try:
        for server in SERVERS:
            for app in (NEXUS_APP, BARE_APP):
                if (server.name, app) not in running:
                    running[server.name, app] = start(server, app, env)
        samples: dict[tuple[str, str, int], list[Figure]] = {}
        for round_number in range(1, options.rounds + 1):
            print(f"round {round_number}/{options.rounds}", flush=True)
            for page, app, path in targets:
                for connections in options.connections:
                    for server in SERVERS:
                        _, port = running[server.name, app]
                        figure = drive(port, path, connections, options.seconds)
                        samples.setdefault((page, server.name, connections), []).append(figure)
    finally:
        for process, _ in running.values():
            process.terminate()
        for process, _ in running.values():
            process.wait(20)
        shutil.rmtree(workdir, ignore_errors=True)

    rows = []
    for (page, server, connections), figures in samples.items():
        rows.append(
            {
                "page": page,
                "server": server,
                "connections": connections,
                "rps": statistics.median(f.rps for f in figures),
                "p50_ms": statistics.median(f.p50_ms for f in figures),
                "p99_ms": statistics.median(f.p99_ms for f in figures),
                "errors": sum(f.errors for f in figures),
            }
        )
    lines = [
        "# Servers for `make run` (embedded mode, one process)",
        "",
        f"{options.rounds} interleaved rounds of {options.seconds} s per cell, wrk -t2; medians.",
        "",
        "| page | c | server | req/s | x best | p50 ms | p99 ms | p99/p50 | errors |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page, _, _ in targets:
        for connections in options.connections:
            cell = [r for r in rows if r["page"] == page and r["connections"] == connections]
            best = max(r["rps"] for r in cell)
            for r in cell:
                lines.append(
                    f"| {page} | {connections} | {r['server']} | {r['rps']:.0f} | "
                    f"{r['rps'] / best:.2f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
                    f"{r['p99_ms'] / r['p50_ms']:.1f} | {r['errors']} |"
                )
    table = "\n".join(lines)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "servers.json").write_text(json.dumps(rows, indent=2))
    (RESULTS / "servers.md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
