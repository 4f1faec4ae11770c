"""Chapa webhooks under load: 200 concurrent signed deliveries, duplicates among them, against a
real server — and the naive handler that trusts each delivery, side by side.

    make bench-webhooks
    .venv/bin/python bench/webhook_load.py --payments 120 --duplicates 80 --concurrency 50

A throw-away PostgreSQL database (created and dropped here), the local Chapa test server in this
process, Nexus on granian (as `manage.py serve` runs it: one process, 8 threads) and a Celery
worker on a RabbitMQ queue of its own. N payments are initialized through payment_start and paid
in the test server; its N signed webhooks plus duplicates of some of them are POSTed at once.
After the outbox drains: answers, p50/p95 answer time, payments credited, credited exactly once,
ledger balanced. The naive anchor processes the same deliveries inline, crediting whatever each
one says, with no idempotency key and no verification. Results: bench/results/webhook_load.md.
"""

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench" / "results"
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://nexus:nexus@127.0.0.1:5432")
BROKER = os.environ.get("BENCH_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
SECRET_KEY = "CHASECK_TEST-bench-webhooks"
WEBHOOK_SECRET = "bench-webhooks-secret"
WEBHOOK_PATH = "/api/v1/payments/chapa/webhook/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(check: Any, what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise SystemExit(f"gave up waiting for {what}")


def answers_http(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, float]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return status, (time.perf_counter() - started) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payments", type=int, default=120)
    parser.add_argument("--duplicates", type=int, default=80)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    run = f"{os.getpid()}"
    database = f"nexus_bench_webhooks_{run}"
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    processes: list[subprocess.Popen[bytes]] = []
    from nexus.payments import sandbox as chapa_test_server

    chapa = chapa_test_server.start(secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET)
    try:
        table = measure(args, database, run, chapa, processes)
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        chapa.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "webhook_load.md").write_text(table + "\n")


def measure(
    args: argparse.Namespace,
    database: str,
    run: str,
    chapa: Any,
    processes: list[subprocess.Popen[bytes]],
) -> str:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))},
        "DJANGO_SETTINGS_MODULE": "nexus.settings",
        "DATABASE_URL": f"{SERVER}/{database}",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "CELERY_TASK_DEFAULT_QUEUE": f"bench-webhooks-{run}",
        "CHAPA_SECRET_KEY": SECRET_KEY,
        "CHAPA_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "CHAPA_BASE_URL": chapa.url,
        "NEXUS_BASE_URL": base,
        "EMAIL_URL": "dummymail://",
    }
    os.environ.update(env)
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput"],
        cwd=REPO,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    logs = {name: RESULTS / f"webhook_load-{name}.log" for name in ("server", "worker")}
    commands = {
        "server": [
            str(Path(python).parent / "granian"),
            "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
            "--workers", "1", "--blocking-threads", "8", "bench.webhook_app:application",
        ],
        "worker": [
            python, "-m", "celery", "-A", "bench.webhook_app", "worker", "--pool=threads",
            "--concurrency", "4", "--queues", env["CELERY_TASK_DEFAULT_QUEUE"],
            "--hostname", f"bench-{run}@%h", "--without-gossip", "--without-mingle",
            "--loglevel=INFO",
        ],
    }  # fmt: skip
    for name, command in commands.items():
        with logs[name].open("w") as log:
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=REPO,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    wait_until(lambda: answers_http(f"{base}/healthz"), "the server")
    wait_until(lambda: " ready." in logs["worker"].read_text(), "the worker")

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db.models import Sum

    from bench.webhook_app import PURPOSE
    from nexus.accounts.models import User
    from nexus.payments.models import ChapaEvent, LedgerEntry, Payment, PaymentStatus
    from nexus.payments.services.charges import payment_start

    password = make_password(None)
    payers = User.objects.bulk_create(
        User(email=f"payer{i}@bench.example", display_name=f"Payer {i}", password=password)
        for i in range(args.payments)
    )
    for index, payer in enumerate(payers):
        payment = payment_start(
            payer=payer,
            amount=Decimal(100 + index),
            currency="ETB",
            purpose=PURPOSE,
            purpose_id=index,
            description="Load test",
        )
        chapa.sandbox.settle(payment.tx_ref, "success")
    distinct = [d for d in chapa.sandbox.deliveries if d.event == "charge.success"]
    received = sum(Decimal(100 + index) for index in range(args.payments))
    chooser = random.Random(args.seed)
    deliveries = distinct + chooser.choices(distinct, k=args.duplicates)
    chooser.shuffle(deliveries)

    def deliver(delivery: Any) -> tuple[int, float]:
        return post(f"{base}{WEBHOOK_PATH}", delivery.body, delivery.headers)

    started = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        answers = list(pool.map(deliver, deliveries))
    answered_in = time.perf_counter() - started
    wait_until(
        lambda: (
            ChapaEvent.objects.filter(processed_at__isnull=False).count() >= len(distinct)
            and not Payment.objects.filter(status=PaymentStatus.PENDING).exists()
        ),
        "the outbox to drain",
        timeout=180,
    )
    drained_in = time.perf_counter() - started
    ours = {
        "deliveries": len(deliveries),
        "2xx": sum(1 for status, _ in answers if 200 <= status < 300),
        "p50": statistics.median(ms for _, ms in answers),
        "p95": percentile([ms for _, ms in answers], 0.95),
        "seconds": drained_in,
        "credits": Counter(
            LedgerEntry.objects.filter(kind="charge").values_list("payment__tx_ref", flat=True)
        ),
        "balanced": ledger_balanced(),
        "total": LedgerEntry.objects.filter(kind="charge").aggregate(t=Sum("amount"))["t"],
    }
    naive = naive_inline(deliveries, args.concurrency)
    return render(args, ours, naive, answered_in, len(distinct), received)


def naive_inline(deliveries: list[Any], concurrency: int) -> dict[str, Any]:
    """The handler a first version writes: believe the webhook, credit it, no idempotency key."""
    from django.db import connection, transaction
    from django.db.models import Sum

    from nexus.payments.ledger import system_account, wallet_account
    from nexus.payments.models import EntryKind, LedgerEntry, Payment

    def credit(delivery: Any) -> float:
        started = time.perf_counter()
        payload = json.loads(delivery.body)
        with transaction.atomic():
            payment = Payment.objects.select_related("payer").get(tx_ref=payload["tx_ref"])
            LedgerEntry.objects.create(
                kind=EntryKind.CHARGE,
                source=system_account("world", currency=payload["currency"]),
                destination=wallet_account(payment.payer, currency=payload["currency"]),
                amount=Decimal(payload["amount"]),
                currency=payload["currency"],
                key=f"naive:{uuid.uuid4()}",
                memo=payload["tx_ref"],
            )
        connection.close()
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        times = list(pool.map(credit, deliveries))
    credits = Counter(
        LedgerEntry.objects.filter(key__startswith="naive:").values_list("memo", flat=True)
    )
    return {
        "deliveries": len(deliveries),
        "2xx": len(times),
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
        "seconds": time.perf_counter() - started,
        "credits": credits,
        "balanced": ledger_balanced(),
        "total": LedgerEntry.objects.filter(key__startswith="naive:").aggregate(t=Sum("amount"))[
            "t"
        ],
    }


def ledger_balanced() -> bool:
    """Every movement is one row, so the books balance by construction; this checks that no
    account but the world is below zero and that all balances sum to zero."""
    from django.db.models import Sum

    from nexus.payments.models import AccountKind, LedgerAccount, LedgerEntry

    arrived = dict(
        LedgerEntry.objects.values_list("destination").annotate(t=Sum("amount")).order_by()
    )
    left = dict(LedgerEntry.objects.values_list("source").annotate(t=Sum("amount")).order_by())
    total = Decimal(0)
    for account in LedgerAccount.objects.all():
        held = arrived.get(account.pk, Decimal(0)) - left.get(account.pk, Decimal(0))
        total += held
        if held < 0 and account.kind != AccountKind.WORLD:
            return False
    return total == 0


def render(
    args: argparse.Namespace,
    ours: dict[str, Any],
    naive: dict[str, Any],
    answered_in: float,
    distinct: int,
    received: Decimal,
) -> str:
    def row(label: str, a: object, b: object, ratio: str = "") -> str:
        return f"| {label} | {a} | {b} | {ratio} |"

    ours_once = sum(1 for n in ours["credits"].values() if n == 1)
    naive_once = sum(1 for n in naive["credits"].values() if n == 1)
    ours_extra = sum(n - 1 for n in ours["credits"].values() if n > 1)
    naive_extra = sum(n - 1 for n in naive["credits"].values() if n > 1)
    lines = [
        f"Chapa webhooks: {distinct} payments, {args.duplicates} duplicate deliveries, "
        f"{args.concurrency} at once (granian 1x8, Celery 4 threads, PostgreSQL)",
        "",
        "| figure | ours (HTTP, signed, outbox) | naive (inline, no key) | naive / ours |",
        "| --- | --- | --- | --- |",
        row("deliveries", ours["deliveries"], naive["deliveries"]),
        row("2xx answers", ours["2xx"], naive["2xx"]),
        row(
            "answer p50 ms",
            f"{ours['p50']:.1f}",
            f"{naive['p50']:.1f}",
            f"{naive['p50'] / ours['p50']:.2f}",
        ),
        row(
            "answer p95 ms",
            f"{ours['p95']:.1f}",
            f"{naive['p95']:.1f}",
            f"{naive['p95'] / ours['p95']:.2f}",
        ),
        row("all answered, s", f"{answered_in:.2f}", f"{naive['seconds']:.2f}"),
        row("until the outbox drained, s", f"{ours['seconds']:.2f}", "—"),
        row("payments credited", len(ours["credits"]), len(naive["credits"])),
        row("credited exactly once", ours_once, naive_once),
        row("extra (double) credits", ours_extra, naive_extra),
        row(f"ETB credited (Chapa received {received})", ours["total"], naive["total"]),
        row("ledger balanced", _yes(ours["balanced"]), _yes(naive["balanced"])),
    ]
    return "\n".join(lines)


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


if __name__ == "__main__":
    main()
