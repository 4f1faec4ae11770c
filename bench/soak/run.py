"""Soak: locust against the native topology, with a worker kill, a Redis stop and a RabbitMQ stop.

    make verify-soak                                                  # 10 minutes, 50 users
    .venv/bin/python bench/soak/run.py --minutes 1.5 --users 10 --outage 10   # a short run

Brings the topology up (deploy/local/up, on Redis and RabbitMQ of its own: bench/topology.py),
seeds learners with API tokens and published articles, runs locust headless against nginx on
127.0.0.1 (80 % reads, 20 % writes: bench/soak/locustfile.py) and, at set moments, SIGKILLs the
Celery worker (restarting it), stops Redis and stops RabbitMQ, each for --outage seconds. Then
checks: 0 server errors, p95 under 500 ms, the database holds exactly the writes that were
acknowledged, and the outbox (events and deferred tasks) is empty within 60 s of the end.
Figures go to bench/results/soak.json and soak.md; the exit status says whether all held.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.topology import (
    BASE_URL,
    LOCAL_CA,
    REPO,
    RESULTS,
    SMTPCatcher,
    Topology,
    log,
    setup_django,
    wait_until,
    write_results,
)

P95_LIMIT_MS = 500
OUTBOX_LIMIT_SECONDS = 60
ARTICLES = 20


def seed(users: int) -> dict:
    """Learners with API tokens, and published articles to read and comment on."""
    from nexus.accounts.models import User
    from nexus.accounts.services import api_token_create
    from nexus.knowledge.services import article_create

    tag = uuid.uuid4().hex[:8]
    password = f"Soak-{uuid.uuid4().hex}"
    authors = [
        User.objects.create_user(f"author{i}-{tag}@soak.example", password, display_name=f"A{i}")
        for i in range(5)
    ]
    slugs = [
        article_create(
            author=authors[i % len(authors)],
            title=f"Soak {tag} {i}",
            body=f"# Soak {i}\n\nSome **Markdown** with `code` and a [link](/articles/).",
            status="published",
        ).slug
        for i in range(ARTICLES)
    ]
    tokens = []
    for i in range(users):
        user = User.objects.create_user(f"learner{i}-{tag}@soak.example", password)
        tokens.append(api_token_create(user=user, name="soak")[1])
    return {"tag": tag, "slugs": slugs, "tokens": tokens}


def inject_faults(topology: Topology, seconds: float, outage: float, done: list) -> None:
    """At 20 % a worker kill; at 35 % Redis stops; at 60 % RabbitMQ stops (each for `outage`)."""
    start = time.monotonic()

    def at(fraction: float) -> None:
        time.sleep(max(0.0, start + fraction * seconds - time.monotonic()))

    def record(what: str) -> None:
        done.append({"at_seconds": round(time.monotonic() - start, 1), "what": what})
        log(f"   fault: {what}")

    at(0.20)
    topology.kill_worker_node()
    record("worker SIGKILLed and restarted")
    at(0.35)
    topology.redis.stop()
    record("Redis stopped")
    time.sleep(outage)
    topology.redis.start()
    record("Redis back")
    at(0.60)
    topology.rabbitmq.stop()
    record("RabbitMQ stopped")
    time.sleep(outage)
    topology.rabbitmq.start()
    record("RabbitMQ back")


def locust_stats(prefix: Path) -> dict:
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as file:
        rows = {row["Name"]: row for row in csv.DictReader(file)}
    total = rows["Aggregated"]
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "requests_per_second": round(float(total["Requests/s"]), 1),
        "p95_ms_by_request": {
            name: float(row["95%"]) for name, row in rows.items() if name != "Aggregated"
        },
    }


def pending_outbox() -> int:
    from nexus.core.models import DeferredTask, OutboxEvent

    return (
        OutboxEvent.objects.filter(handed_over_at__isnull=True).count()
        + DeferredTask.objects.count()
    )


def stored_writes(tag: str) -> dict[str, int]:
    from nexus.journal.models import Entry
    from nexus.knowledge.models import Comment

    return {
        "comment": Comment.objects.filter(body__contains=tag).count(),
        "journal_entry": Entry.objects.filter(body__contains=tag).count(),
    }


def markdown(figures: dict) -> str:
    stats, rows = figures["locust"], figures["rows"]
    lines = [
        "# Soak on the native topology",
        "",
        f"Run: {figures['started']}, {figures['arguments']}",
        "",
        "| check | figure | limit | pass |",
        "| --- | --- | --- | --- |",
        f"| server errors | {figures['server_errors']} | 0 | "
        f"{'yes' if figures['server_errors'] == 0 else 'NO'} |",
        f"| p95 | {stats['p95_ms']:.0f} ms (p50 {stats['p50_ms']:.0f}, p99 {stats['p99_ms']:.0f}; "
        f"{stats['requests']} requests, {stats['requests_per_second']}/s) | {P95_LIMIT_MS} ms | "
        f"{'yes' if stats['p95_ms'] < P95_LIMIT_MS else 'NO'} |",
    ]
    for kind, row in rows.items():
        lines.append(
            f"| {kind} rows == acknowledged writes | {row['stored']} stored, "
            f"{row['acknowledged']} acknowledged | equal | {'yes' if row['equal'] else 'NO'} |"
        )
    lines += [
        f"| outbox empty after the run | {figures['outbox_empty_seconds']} s | "
        f"{OUTBOX_LIMIT_SECONDS} s | {'yes' if figures['outbox_ok'] else 'NO'} |",
        "",
        "Faults: " + "; ".join(f"{f['at_seconds']} s {f['what']}" for f in figures["faults"]),
        "",
        "Answers by kind and status: "
        + ", ".join(f"{k}: {v}" for k, v in sorted(figures["tally"].items())),
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5.0)
    parser.add_argument(
        "--outage", type=float, default=60.0, help="seconds Redis and RabbitMQ stay down"
    )
    args = parser.parse_args()
    seconds = args.minutes * 60

    smtp = SMTPCatcher()
    topology = Topology(email_url=smtp.url)
    with topology.running(), tempfile.TemporaryDirectory(prefix="nexus-soak-") as scratch:
        setup_django(topology)
        world = seed(args.users)
        world_file, tally_file = Path(scratch) / "world.json", Path(scratch) / "tally.json"
        world_file.write_text(json.dumps(world))
        log(f"seeded {args.users} learners and {ARTICLES} articles (run {world['tag']})")

        RESULTS.mkdir(parents=True, exist_ok=True)
        prefix = RESULTS / "soak"
        command = [
            str(REPO / ".venv/bin/locust"), "-f", str(REPO / "bench/soak/locustfile.py"),
            "--headless", "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
            "--run-time", f"{int(seconds)}s", "--host", BASE_URL, "--csv", str(prefix),
            "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING",
        ]  # fmt: skip
        env = {
            **os.environ,
            "NEXUS_SOAK_WORLD": str(world_file),
            "NEXUS_SOAK_TALLY": str(tally_file),
            # locust's HTTP client (requests) verifies nginx's certificate with up's local CA.
            "REQUESTS_CA_BUNDLE": str(LOCAL_CA),
        }
        log(f"locust: {args.users} users for {seconds:.0f}s against {BASE_URL}")
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        locust = subprocess.Popen(command, env=env, cwd=REPO)
        faults: list[dict] = []
        injector = threading.Thread(
            target=inject_faults, args=(topology, seconds, args.outage, faults), daemon=True
        )
        injector.start()
        locust.wait(timeout=seconds + 300)
        injector.join(timeout=300)
        ended = time.monotonic()

        try:
            wait_until(lambda: pending_outbox() == 0, OUTBOX_LIMIT_SECONDS, "an empty outbox", 1)
            outbox_seconds: float | str = round(time.monotonic() - ended, 1)
        except TimeoutError:
            outbox_seconds = f"> {OUTBOX_LIMIT_SECONDS} ({pending_outbox()} pending)"
        tally = json.loads(tally_file.read_text())
        stored = stored_writes(world["tag"])

    rows = {
        kind: {
            "stored": count,
            "acknowledged": tally.get(f"{kind} 201", 0),
            "equal": count == tally.get(f"{kind} 201", 0),
        }
        for kind, count in stored.items()
    }
    figures = {
        "started": started,
        "arguments": vars(args),
        "locust": locust_stats(prefix),
        "server_errors": tally.get("server_errors", 0),
        "tally": {k: v for k, v in tally.items() if k != "server_errors"},
        "rows": rows,
        "faults": faults,
        "outbox_empty_seconds": outbox_seconds,
        "outbox_ok": isinstance(outbox_seconds, float | int),
    }
    figures["pass"] = (
        figures["server_errors"] == 0
        and figures["locust"]["p95_ms"] < P95_LIMIT_MS
        and all(row["equal"] for row in rows.values())
        and figures["outbox_ok"]
        and len(faults) == 5
    )
    report = markdown(figures)
    print(report)
    write_results("soak", figures, report)
    return 0 if figures["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
