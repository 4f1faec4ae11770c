"""One HTTP benchmark: Nexus against the limit and a naive build, in the same run (issue #15).

    make bench-http                                  # 3 interleaved rounds of 5 s, c=16 and 64
    BENCH_ARGS="--quick --scale 0.01" make bench-http
    BENCH_ARGS="--reuse-topology" make bench-http    # leave the topology up for the next run

The dataset (bench/web/dataset.py) is built once in the nexus_bench database and reused. The
native topology (deploy/local/up: nginx in front of two replicas) comes up on that database, on
ports of the benchmark's own. Beside it run the anchors: nginx serving the exact bytes of
Nexus's anonymous article list from a file (the limit), a bare WSGI app returning those bytes
on the replicas' own server (the Python limit), and the naive DRF build of bench/baseline on
that server too. wrk drives every configuration and endpoint at 16 and 64 connections, each
round visiting every cell once so the machine's noise spreads over all of them; the table gives
the median of the rounds and the ratios issue #15 sets targets for.
"""

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench.web import dataset, servers, wrk

if TYPE_CHECKING:
    from bench.topology import Topology

REPO = Path(__file__).resolve().parents[2]
# Ports of the benchmark's own topology, away from deploy/local's defaults, which a developer's
# own topology (or bench/faults.py) may hold on this machine.
PORTS = {
    "NEXUS_LOCAL_NGINX_PORT": "8280",
    "NEXUS_LOCAL_NGINX_TLS_PORT": "8285",
    "NEXUS_LOCAL_WEB1_PORT": "8281",
    "NEXUS_LOCAL_WEB2_PORT": "8282",
    "NEXUS_BENCH_REDIS_PORT": "6392",
    "NEXUS_BENCH_AMQP_PORT": "5692",
    "NEXUS_BENCH_SMTP_PORT": "8283",
    "NEXUS_BENCH_HOOK_PORT": "8284",
}
GRAPHQL_QUERY = (
    "{ articles(limit: 20) { slug title summary kind createdAt helpfulCount commentCount "
    "author { id displayName } technologies { slug name } tags } }"
)

STATIC, BARE, NAIVE = "nginx static (limit)", "bare WSGI (Python limit)", "naive DRF"
VIA_NGINX, DIRECT, AUTH = "Nexus anonymous via nginx", "Nexus anonymous direct", "Nexus JWT"
# What settle() asks each kind of server (Nexus's: /healthz); "/" is the naive API's root.
PROBES = {STATIC: "/", BARE: "/", NAIVE: "/"}
SETTLE_TIMEOUT = 60


@dataclass(frozen=True)
class Target:
    configuration: str
    endpoint: str
    base: str
    request: wrk.Request

    @property
    def url(self) -> str:
        return self.base + self.request.path


@dataclass(frozen=True)
class Cell:
    configuration: str
    endpoint: str
    connections: int


def fetch(url: str, request: wrk.Request) -> tuple[int, bytes]:
    data = request.body.encode() if request.body else None
    req = urllib.request.Request(url, data=data, headers=request.headers, method=request.method)
    try:
        # nginx answers over HTTPS with deploy/local/up's local CA; the other servers, plain HTTP.
        from bench.topology import local_ca_context  # after PORTS are in the environment

        context = local_ca_context() if url.startswith("https:") else None
        with urllib.request.urlopen(req, timeout=60, context=context) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def token(base: str) -> str:
    """A fresh access JWT for the reader account (tokens expire; each round takes a new one)."""
    login = json.dumps({"email": dataset.READER_EMAIL, "password": dataset.PASSWORD})
    status, body = fetch(
        f"{base}/api/v1/auth/token/",
        wrk.Request("/", "POST", {"Content-Type": "application/json"}, login),
    )
    if status != 200:
        raise RuntimeError(f"logging in as {dataset.READER_EMAIL} answered {status}: {body[:300]}")
    return json.loads(body)["access"]


def nexus_endpoints(slug: str, challenge: int, common: str, rare: str) -> dict[str, wrk.Request]:
    graphql = json.dumps({"query": GRAPHQL_QUERY})
    json_post = {"Content-Type": "application/json", "Accept": "application/json"}
    return {
        "article list": wrk.Request("/api/v1/articles/"),
        "article list x100": wrk.Request("/api/v1/articles/?page_size=100"),
        "article detail": wrk.Request(f"/api/v1/articles/{slug}/"),
        "challenge list": wrk.Request("/api/v1/challenges/"),
        "challenge detail": wrk.Request(f"/api/v1/challenges/{challenge}/"),
        "challenge page": wrk.Request(f"/challenges/{challenge}/"),
        "search common": wrk.Request(f"/api/v1/search/?q={common}"),
        "search rare": wrk.Request(f"/api/v1/search/?q={rare}"),
        "GraphQL articles": wrk.Request("/graphql/", "POST", json_post, graphql),
        "home page": wrk.Request("/"),
    }


AUTHENTICATED = (
    "article list",
    "article list x100",
    "article detail",
    "challenge list",
    "challenge detail",
    "search common",
    "GraphQL articles",
)


def authenticated(request: wrk.Request, access: str) -> wrk.Request:
    return wrk.Request(
        request.path, request.method, {**request.headers, "Authorization": f"Bearer {access}"},
        request.body,
    )  # fmt: skip


def settle(target: Target) -> None:
    """Wait until the server a cell drove has drained what wrk left queued.

    At 64 connections on a slow page, tens of seconds of work are still queued when wrk stops;
    served during the next cell, it would be charged to that one. Drained: a request that does
    no work answers quickly twice in a row (twice, so that both of nginx's replicas did).
    """
    probe = wrk.Request(PROBES.get(target.configuration, "/healthz"))
    deadline = time.monotonic() + SETTLE_TIMEOUT
    quick = 0
    while quick < 2 and time.monotonic() < deadline:
        started = time.monotonic()
        fetch(target.base + probe.path, probe)
        quick = quick + 1 if time.monotonic() - started < 0.1 else 0
        time.sleep(0.05)


def verify(targets: list[Target]) -> dict[str, int]:
    """Every URL answers 2xx before anything is measured; returns each response's size."""
    sizes = {}
    for target in targets:
        status, body = fetch(target.url, target.request)
        label = f"{target.configuration} / {target.endpoint}"
        if not 200 <= status < 300:
            raise RuntimeError(f"{label}: {target.url} answered {status}: {body[:300]!r}")
        sizes[label] = len(body)
        print(f"  {status} {len(body):>9,} B  {label}  {target.request.path}", flush=True)
    return sizes


def worker_memory(run_dir: Path) -> dict[str, dict[str, float]]:
    """RSS and PSS (MB) of every web replica's worker processes."""
    memory = {}
    for replica in ("web-1", "web-2"):
        master = int((run_dir / f"{replica}.pid").read_text())
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            rss = next(int(line.split()[1]) for line in status.splitlines() if line[:6] == "VmRSS:")
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            pss = next(int(line.split()[1]) for line in rollup.splitlines() if line[:4] == "Pss:")
            memory[f"{replica} worker {pid}"] = {"rss_mb": rss / 1024, "pss_mb": pss / 1024}
    return memory


def median_figures(samples: dict[Cell, list[wrk.Figure]]) -> dict[Cell, dict[str, float]]:
    rows = {}
    for cell, figures in samples.items():
        rows[cell] = {
            "rps": statistics.median(f.rps for f in figures),
            "p50_ms": statistics.median(f.p50_ms for f in figures),
            "p99_ms": statistics.median(f.p99_ms for f in figures),
            "errors": sum(f.errors for f in figures),
            "non_2xx": sum(f.non_2xx for f in figures),
            "socket_errors": sum(f.socket_errors for f in figures),
            "kb": statistics.median(f.bytes_per_request for f in figures) / 1024,
        }
    return rows


# (name, numerator cell, denominator cell, target or None): ratios of req/s.
RATIOS = [
    ("article list via nginx / nginx static", (VIA_NGINX, "article list"),
     (STATIC, "same bytes"), 0.5),
    ("article detail via nginx / nginx static", (VIA_NGINX, "article detail"),
     (STATIC, "same bytes"), 0.5),
    ("article list direct / bare WSGI", (DIRECT, "article list"), (BARE, "same bytes"), 0.2),
    ("article detail direct / bare WSGI", (DIRECT, "article detail"), (BARE, "same bytes"), 0.2),
    ("JWT article list / naive article list", (AUTH, "article list"),
     (NAIVE, "article list"), 10.0),
    ("JWT article detail / naive article detail", (AUTH, "article detail"),
     (NAIVE, "article detail"), None),
    ("JWT challenge list / naive challenge list", (AUTH, "challenge list"),
     (NAIVE, "challenge list"), None),
    ("anonymous challenge detail / naive (with solutions)", (VIA_NGINX, "challenge page"),
     (NAIVE, "challenge detail"), None),
]  # fmt: skip
P99_TARGET = 2.5


def tail_ratio(row: dict[str, float]) -> float:
    """p99 / p50; infinite for a cell where no request finished within its duration."""
    return row["p99_ms"] / row["p50_ms"] if row["p50_ms"] else float("inf")


RSS_TARGET_MB = 200


def report(
    rows: dict[Cell, dict[str, float]],
    connections: list[int],
    sizes: dict[str, int],
    memory: dict[str, dict[str, float]],
    header: str,
) -> tuple[str, list[dict]]:
    lines = [
        header,
        "",
        "| configuration | endpoint | c | req/s | p50 ms | p99 ms | p99/p50 | errors | KB |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for cell, row in rows.items():
        spread = f"{tail_ratio(row):.1f}" + (" ⚠" if tail_ratio(row) > P99_TARGET else "")
        lines.append(
            f"| {cell.configuration} | {cell.endpoint} | {cell.connections} | {row['rps']:,.0f} | "
            f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {spread} | {row['errors']} | "
            f"{row['kb']:.1f} |"
        )
    lines += ["", "## Ratios (targets of issue #15)", ""]
    lines += ["| ratio | c | measured | target | |", "| --- | ---: | ---: | ---: | --- |"]
    ratios = []
    for name, (top_config, top_endpoint), (bottom_config, bottom_endpoint), goal in RATIOS:
        for c in connections:
            top = rows.get(Cell(top_config, top_endpoint, c))
            bottom = rows.get(Cell(bottom_config, bottom_endpoint, c))
            if not top or not bottom:
                continue
            value = top["rps"] / bottom["rps"]
            met = "" if goal is None else ("met" if value >= goal else "missed")
            target = "" if goal is None else f"≥ {goal:g}"
            lines.append(f"| {name} | {c} | {value:.3g} | {target} | {met} |")
            ratios.append({"ratio": name, "connections": c, "value": value, "target": goal})
    nexus = [(cell, row) for cell, row in rows.items() if cell.configuration.startswith("Nexus")]
    over = [
        f"{cell.configuration} / {cell.endpoint} c={cell.connections} ({tail_ratio(row):.1f})"
        for cell, row in nexus
        if tail_ratio(row) > P99_TARGET
    ]
    errors = sum(row["errors"] for _, row in nexus)
    lines += [
        "",
        f"- p99 ≤ {P99_TARGET}x p50 on Nexus's cells: {len(nexus) - len(over)}/{len(nexus)} met"
        + (f"; over: {', '.join(over)}" if over else ""),
        f"- errors on Nexus's cells (non-2xx and socket errors): {errors} (target 0)",
    ]
    if memory:
        worst = max(m["rss_mb"] for m in memory.values())
        lines.append(
            "- web worker RSS after the run: "
            + ", ".join(f"{m['rss_mb']:.0f} MB (PSS {m['pss_mb']:.0f})" for m in memory.values())
            + f"; largest {worst:.0f} MB (target ≤ {RSS_TARGET_MB} MB: "
            + ("met" if worst <= RSS_TARGET_MB else "missed")
            + ")"
        )
    lines += ["", "Response sizes (bytes, as verified before measuring):", ""]
    lines += [f"- {label}: {size:,}" for label, size in sizes.items()]
    return "\n".join(lines) + "\n", ratios


def use_own_ports(scale: float) -> None:
    for name, port in PORTS.items():
        os.environ.setdefault(name, port)
    os.environ["NEXUS_LOCAL_DATABASE_URL"] = dataset.database_url(scale)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round of 3 s cells")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per cell")
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--scale", type=float, default=1.0, help="of the dataset (0.01: quick)")
    parser.add_argument("--rebuild", action="store_true", help="build the dataset again")
    parser.add_argument(
        "--reuse-topology", action="store_true", help="use the topology that is up, and leave it up"
    )
    parser.add_argument(
        "--down",
        action="store_true",
        help="take down the topology --reuse-topology left up, and exit",
    )
    options = parser.parse_args()  # fmt: skip
    if options.down:
        use_own_ports(options.scale)
        from bench import topology

        topology.Topology(email_url="").take_down()
        return 0
    if options.quick:
        options.rounds, options.duration = 1, 3
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed (Debian: apt-get install wrk nginx)")

    record = dataset.ensure(options.scale, rebuild=options.rebuild)
    use_own_ports(options.scale)
    if options.reuse_topology:
        os.environ["NEXUS_BENCH_REUSE"] = "1"
    # Imported now: bench.topology reads its ports and NEXUS_BENCH_REUSE when it is imported.
    from bench import topology

    workdir = Path(tempfile.mkdtemp(prefix="nexus-bench-http-"))
    os.chmod(workdir, 0o755)  # nginx's workers read the static file from here
    processes = servers.Processes()
    try:
        with topology.Topology(email_url="consolemail://").running() as running:
            rows, sizes, memory = measure(options, record, workdir, processes, running)
    finally:
        processes.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    stamp = time.strftime("%Y-%m-%d")
    header = (
        f"# HTTP benchmark {stamp} (`make bench-http`)\n\n"
        f"{options.rounds} interleaved round(s) of {options.duration:g} s per cell, wrk -t2, "
        f"{os.cpu_count()} cores; medians over rounds. Dataset scale {record['scale']:g} "
        f"(built in {record['seconds']:.0f} s): "
        + ", ".join(f"{table} {rows:,}" for table, rows in sorted(record["counts"].items()))
        + f". Search words: "
        f"common `{record['common_word']}`, rare `{record['rare_word']}`."
    )
    markdown, ratios = report(rows, options.connections, sizes, memory, header)
    print(markdown)
    figures = {
        "options": vars(options),
        "dataset": record,
        "cells": [{**asdict(cell), **row} for cell, row in rows.items()],
        "ratios": ratios,
        "worker_memory": memory,
        "response_bytes": sizes,
    }
    topology.write_results(f"http-{stamp}", figures, markdown)
    if options.reuse_topology:
        topology.log("the topology is left up: BENCH_ARGS=--down make bench-http takes it down")
    return 0


def measure(
    options: argparse.Namespace,
    record: dict,
    workdir: Path,
    processes: servers.Processes,
    running: "Topology",
) -> tuple[dict[Cell, dict[str, float]], dict[str, int], dict[str, dict[str, float]]]:
    from bench import topology as topo

    wanted = dataset.database_url(options.scale)
    if running.app_environment()["DATABASE_URL"] != wanted:
        raise RuntimeError(f"the topology that is up is not on {wanted}: deploy/local/down first")
    nginx = topo.BASE_URL
    replica = int((topo.RUN_DIR / "web-1.pid").read_text())
    direct = f"http://127.0.0.1:{os.environ['NEXUS_LOCAL_WEB1_PORT']}"
    status, body = fetch(f"{nginx}/api/v1/articles/", wrk.Request("/"))
    if status != 200:
        raise RuntimeError(f"the anonymous article list answered {status}")
    (workdir / "body.json").write_bytes(body)

    topo.log("starting the anchors: static nginx, bare WSGI and the naive baseline")
    static = f"http://127.0.0.1:{servers.start_static_nginx(processes, body, workdir)}"
    bare_port = servers.start_copy(
        processes, replica, app="bench.bare_wsgi:application", name="bare-wsgi",
        workdir=workdir, extra_env={"BENCH_BODY_FILE": str(workdir / "body.json")},
    )  # fmt: skip
    naive_port = servers.start_copy(
        processes, replica, app="bench.baseline.wsgi:application", name="naive-drf",
        workdir=workdir, extra_env={"DATABASE_URL": dataset.database_url(options.scale)},
    )  # fmt: skip
    bare, naive = f"http://127.0.0.1:{bare_port}", f"http://127.0.0.1:{naive_port}"

    slug = dataset.psql(
        "SELECT slug FROM knowledge_article WHERE status = 'published' "
        "ORDER BY created_at DESC, id DESC LIMIT 1",
        database=dataset.database(options.scale),
    ).strip()
    challenge = int(
        dataset.psql(
            "SELECT id FROM challenges_challenge WHERE answer_count = 3 ORDER BY id LIMIT 1",
            database=dataset.database(options.scale),
        )
    )
    endpoints = nexus_endpoints(slug, challenge, record["common_word"], record["rare_word"])

    def targets(access: str) -> list[Target]:
        chosen = [
            Target(STATIC, "same bytes", static, wrk.Request("/api/v1/articles/")),
            Target(BARE, "same bytes", bare, wrk.Request("/api/v1/articles/")),
            Target(NAIVE, "article list", naive, wrk.Request("/articles/")),
            Target(NAIVE, "article detail", naive, wrk.Request(f"/articles/{slug}/")),
            Target(NAIVE, "challenge list", naive, wrk.Request("/challenges/")),
            Target(NAIVE, "challenge detail", naive, wrk.Request(f"/challenges/{challenge}/")),
        ]
        chosen += [Target(VIA_NGINX, name, nginx, r) for name, r in endpoints.items()]
        chosen += [Target(DIRECT, name, direct, r) for name, r in endpoints.items()]
        chosen += [
            Target(AUTH, name, nginx, authenticated(endpoints[name], access))
            for name in AUTHENTICATED
        ]
        return chosen

    topo.log("verifying every URL (status and size)")
    sizes = verify(targets(token(nginx)))
    cells = len(targets("")) * len(options.connections)
    topo.log(
        f"{options.rounds} round(s) x {cells} cells x {options.duration:g} s "
        f"(about {options.rounds * cells * (options.duration + 0.3) / 60:.0f} min)"
    )
    scripts = workdir / "lua"
    scripts.mkdir()
    samples: dict[Cell, list[wrk.Figure]] = {}
    for round_number in range(1, options.rounds + 1):
        round_targets = targets(token(nginx))
        for number, target in enumerate(round_targets):
            script = scripts / f"{number}.lua"
            script.write_text(target.request.lua())
            for connections in options.connections:
                figure = wrk.run(
                    target.url, script, connections=connections, seconds=options.duration
                )
                settle(target)
                cell = Cell(target.configuration, target.endpoint, connections)
                samples.setdefault(cell, []).append(figure)
                print(
                    f"\r  round {round_number}/{options.rounds}: {figure.rps:9,.0f} req/s "
                    f"p99 {figure.p99_ms:7.1f} ms  {target.configuration} / {target.endpoint} "
                    f"c={connections}".ljust(110),
                    end="",
                    flush=True,
                )
        print()
    memory = {}
    with contextlib.suppress(OSError, ValueError):
        memory = worker_memory(topo.RUN_DIR)
    return median_figures(samples), sizes, memory


if __name__ == "__main__":
    raise SystemExit(main())
