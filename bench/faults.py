"""Faults on the native topology (deploy/local/up), each checked from the database afterwards.

    make verify-faults                                        # the full run (see the Makefile)
    .venv/bin/python bench/faults.py --events 100 --outage 15 # a short run that proves the harness

1. Worker kills: comments on articles (each an `article.commented` event: a notification, an
   instant e-mail and a webhook delivery for the article's author) while the Celery worker is
   SIGKILLed --kills times, alternately the whole worker (then restarted, as a supervisor would)
   and one pool process. Then: every notification, delivery and e-mail arrived (0 lost) and none
   twice (0 duplicates: no event reached a receiver under two delivery ids, nor a recipient as two
   notifications). Delivery is at least once, so a kill between sending and recording can repeat a
   webhook POST with its delivery id or an e-mail with its Message-ID, the keys receivers
   deduplicate by (docs/events.md): those repeats are counted and shown apart.
2. RabbitMQ stopped for --outage seconds during a steady stream of writes: 0 write errors, and
   every event written is delivered within 2 minutes of RabbitMQ being back.
3. Redis stopped for --outage seconds under reads and writes: 0 server errors (a 503 with
   Retry-After is a refusal, not an error), and logins are refused while it is away.
4. A poison task (a search reindex with an id no row can have) is dead-lettered after its tries
   and shows in the admin.

Redis and RabbitMQ are the benchmark's own (bench/topology.py); only loopback traffic. Figures go
to bench/results/faults.json and faults.md; the exit status says whether every check passed.
"""

import argparse
import http.cookiejar
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.topology import (
    BASE_URL,
    Answer,
    SMTPCatcher,
    Topology,
    WebhookReceiver,
    is_server_error,
    local_ca_context,
    log,
    request,
    setup_django,
    wait_until,
    write_results,
)

PASSWORD = f"Bench-{uuid.uuid4().hex}"
DELIVERY_DEADLINE_SECONDS = 120
READ_PATHS = ("/", "/articles/", "/api/v1/articles/", "/api/v1/search/?q=bench", "/healthz")


@dataclass
class Pair:
    """A reader who wrote an article (and hears of comments on it) and a writer commenting on it."""

    reader_id: int
    reader_email: str
    slug: str
    writer_token: str


@dataclass
class World:
    tag: str
    pairs: list[Pair]
    admin_email: str
    comment_ids: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def seed(pairs: int, receiver: WebhookReceiver) -> World:
    """Readers with an article, an instant e-mail preference and a webhook; writers with tokens."""
    from nexus.accounts.models import User
    from nexus.accounts.services import api_token_create
    from nexus.knowledge.services import article_create
    from nexus.notifications.services import email_preferences_update, webhook_create

    tag = uuid.uuid4().hex[:8]
    admin = User.objects.create_superuser(
        f"admin-{tag}@bench.example", PASSWORD, display_name="Bench Admin"
    )
    world = World(tag=tag, pairs=[], admin_email=admin.email)
    for i in range(pairs):
        reader = User.objects.create_user(
            f"reader{i}-{tag}@bench.example", PASSWORD, display_name=f"Reader {i}"
        )
        writer = User.objects.create_user(
            f"writer{i}-{tag}@bench.example", PASSWORD, display_name=f"Writer {i}"
        )
        email_preferences_update(user=reader, preferences={"article.commented": "instant"})
        webhook_create(actor=reader, url=receiver.url, events=["article.commented"])
        article = article_create(
            author=reader, title=f"Bench {tag} {i}", body="Faults.", status="published"
        )
        _, key = api_token_create(user=writer, name="bench")
        world.pairs.append(Pair(reader.pk, reader.email, article.slug, key))
    return world


def post_comment(world: World, index: int, phase: str) -> Answer:
    pair = world.pairs[index % len(world.pairs)]
    answer = request(
        "POST",
        f"/api/v1/articles/{pair.slug}/comments/",
        data={"body": f"{phase} {index} ({world.tag})"},
        headers={"Authorization": f"Token {pair.writer_token}"},
    )
    if answer.status == 201:
        with world.lock:
            world.comment_ids.append(answer.json()["id"])
    return answer


@dataclass
class Delivery:
    """Where the effects of a set of comments stand."""

    events: int
    notifications: int
    notified_events: int
    webhooks_succeeded: int
    webhooks_received: int
    webhook_duplicate_keys: int
    emails: int
    email_repeats: int

    def complete(self, expected: int) -> bool:
        return (
            self.events == expected
            and all(
                count == expected
                for count in (self.notifications, self.webhooks_succeeded, self.webhooks_received)
            )
            and self.emails == expected
        )


def delivery_of(comment_ids: list[int], receiver: WebhookReceiver, smtp: SMTPCatcher) -> Delivery:
    from nexus.core.models import OutboxEvent
    from nexus.notifications.models import Notification, WebhookDelivery

    event_ids = [
        str(pk)
        for pk in OutboxEvent.objects.filter(
            name="article.commented", payload__comment_id__in=comment_ids
        ).values_list("pk", flat=True)
    ]
    notifications = list(
        Notification.objects.filter(event_id__in=event_ids).values_list("pk", "event_id")
    )
    keys = receiver.log.keys_per_event()
    with smtp.lock:
        sent = Counter(dict(smtp.message_ids.items()))
    mail = [sent.get(f"<notification-{pk}@nexus>", 0) for pk, _ in notifications]
    return Delivery(
        events=len(event_ids),
        notifications=len(notifications),
        notified_events=len({event for _, event in notifications}),
        webhooks_succeeded=WebhookDelivery.objects.filter(
            event_id__in=event_ids, status="succeeded"
        ).count(),
        webhooks_received=sum(1 for e in event_ids if keys.get(e)),
        webhook_duplicate_keys=sum(len(keys.get(e, ())) - 1 for e in event_ids if keys.get(e)),
        emails=sum(1 for count in mail if count),
        email_repeats=sum(count - 1 for count in mail if count > 1),
    )


def drain(ids: list[int], receiver: WebhookReceiver, smtp: SMTPCatcher, timeout: float) -> float:
    """Seconds until every effect of the comments arrived (or `timeout`, then it gives up)."""
    try:
        return wait_until(
            lambda: delivery_of(ids, receiver, smtp).complete(len(ids)), timeout, "deliveries", 1
        )
    except TimeoutError:
        return float("inf")


# --- 1. Worker kills ------------------------------------------------------------------------------


def worker_kills(args, topology, world, receiver, smtp) -> dict:
    log(f"1. worker kills: {args.events} comments, {args.kills} kills")
    before = len(world.comment_ids)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda i: post_comment(world, i, "kills"), range(args.events)))
    ids = world.comment_ids[before:]
    posted_at = time.monotonic()
    kills = []
    for number in range(1, args.kills + 1):
        time.sleep(args.kill_gap)
        pending = not delivery_of(ids, receiver, smtp).complete(len(ids))
        if number % 2:
            topology.kill_worker_node()
            kills.append(
                {"kill": number, "what": "worker node, restarted", "work_pending": pending}
            )
        else:
            pid = topology.kill_pool_process()
            kills.append({"kill": number, "what": f"pool process {pid}", "work_pending": pending})
        log(f"   kill {number}: {kills[-1]['what']} (work pending: {pending})")
    # From the last comment posted, kills included, to the last effect arriving.
    delivered = drain(ids, receiver, smtp, args.timeout) != float("inf")
    drained = time.monotonic() - posted_at if delivered else float("inf")
    state = delivery_of(ids, receiver, smtp)
    expected = len(ids)
    figures = {
        "comments_posted": len(ids),
        "write_errors": sum(1 for a in answers if a.status != 201),
        "kills": kills,
        "kills_with_work_pending": sum(1 for k in kills if k["work_pending"]),
        "events": state.events,
        "notifications": {
            "expected": expected,
            "lost": expected - state.notified_events,
            "duplicates": state.notifications - state.notified_events,
        },
        "webhooks": {
            "expected": expected,
            "lost": expected - min(state.webhooks_succeeded, state.webhooks_received),
            "duplicates": state.webhook_duplicate_keys,
        },
        "emails": {
            "expected": expected,
            "lost": expected - state.emails,
            # One notification has one Message-ID: a second e-mail repeats it.
            "repeats_same_message_id": state.email_repeats,
        },
        "tasks": expected * 2,  # one notification and one webhook delivery per event
        "drained_seconds": round(drained, 1),
    }
    figures["pass"] = (
        figures["write_errors"] == 0
        and figures["kills_with_work_pending"] == args.kills
        and all(figures[k]["lost"] == 0 for k in ("notifications", "webhooks", "emails"))
        and figures["notifications"]["duplicates"] == 0
        and figures["webhooks"]["duplicates"] == 0
    )
    return figures


# --- 2 and 3. Outages ----------------------------------------------------------------------------


class Traffic:
    """Threads that keep requests going and record every answer, with when it came."""

    def __init__(self) -> None:
        self.answers: list[tuple[float, str, Answer]] = []
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.lock = threading.Lock()

    def add(self, name: str, send, interval: float) -> None:
        def loop() -> None:
            count = 0
            while not self.stop.is_set():
                answer = send(count)
                with self.lock:
                    self.answers.append((time.monotonic(), name, answer))
                count += 1
                self.stop.wait(interval)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        self.threads.append(thread)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)

    def between(self, start: float, end: float, name: str | None = None) -> list[Answer]:
        return [a for t, n, a in self.answers if start <= t <= end and name in (None, n)]


def rabbitmq_stop(args, topology, world, receiver, smtp) -> dict:
    log(f"2. RabbitMQ stopped for {args.outage}s during writes")
    before = len(world.comment_ids)
    traffic = Traffic()
    traffic.add("write", lambda i: post_comment(world, i, "rabbitmq"), 0.5)
    time.sleep(args.settle)
    stopped_at = time.monotonic()
    topology.rabbitmq.stop()
    time.sleep(args.outage)
    topology.rabbitmq.start()
    back_at = time.monotonic()
    log(f"   RabbitMQ back after {back_at - stopped_at:.0f}s")
    time.sleep(args.settle)
    traffic.finish()
    ids = world.comment_ids[before:]
    during = traffic.between(stopped_at, back_at)
    delivered = drain(ids, receiver, smtp, args.timeout)
    # drain() started after the writes that followed the restart: count from the restart.
    delivered_after = time.monotonic() - back_at if delivered != float("inf") else delivered
    writes = traffic.between(0, float("inf"))
    state = delivery_of(ids, receiver, smtp)
    figures = {
        "outage_seconds": round(back_at - stopped_at, 1),
        "writes": len(writes),
        "writes_during_outage": len(during),
        "write_errors": sum(1 for a in writes if a.status != 201),
        "slowest_write_seconds": round(max(a.seconds for a in writes), 2),
        "events": state.events,
        "lost": len(ids) - min(state.notifications, state.webhooks_received, state.emails),
        "all_delivered_seconds_after_restart": round(delivered_after, 1),
    }
    figures["pass"] = (
        figures["write_errors"] == 0
        and figures["lost"] == 0
        and delivered_after <= DELIVERY_DEADLINE_SECONDS
    )
    return figures


class Browser:
    """A cookie-keeping client for the web login forms (no redirects followed)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=local_ca_context()),
            urllib.request.HTTPCookieProcessor(self.jar),
            self._NoRedirect(),
        )

    def open(self, path: str, data: dict | None = None) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(BASE_URL + path, data=body, headers={"Origin": BASE_URL})
        start = time.monotonic()
        try:
            with self.opener.open(req, timeout=30) as response:
                content = response.read()
                seconds = time.monotonic() - start
                return Answer(response.status, content, dict(response.headers), seconds)
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read(), dict(error.headers), time.monotonic() - start)

    def login(self, path: str, email: str) -> Answer:
        """Sign in through a Django login form; 302 means let in."""
        page = self.open(path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if token is None:
            return page
        form = {"csrfmiddlewaretoken": token.group(1).decode(), "password": PASSWORD}
        form["username"] = email  # Django's login forms call the e-mail field username
        return self.open(path, form)


def login_answers(world: World) -> dict[str, Answer]:
    """Each way to sign in with a right password: refused (or not) while Redis is away."""
    email = world.pairs[0].reader_email
    api = request("POST", "/api/v1/auth/token/", data={"email": email, "password": PASSWORD})
    return {
        "POST /api/v1/auth/token/": api,
        "web /accounts/login/": Browser().login("/accounts/login/", email),
    }


def let_in(name: str, answer: Answer) -> bool:
    return answer.status == 200 if name.startswith("POST") else answer.status == 302


def redis_stop(args, topology, world, receiver, smtp) -> dict:
    log(f"3. Redis stopped for {args.outage}s under reads and writes")
    slugs = [pair.slug for pair in world.pairs]
    traffic = Traffic()
    for reader in range(2):
        paths = [*READ_PATHS, *(f"/articles/{s}/" for s in slugs), "/api/v1/articles/" + slugs[0]]
        traffic.add("read", lambda i, r=reader, p=paths: request("GET", p[(i + r) % len(p)]), 0.1)
    traffic.add("write", lambda i: post_comment(world, i, "redis"), 1.0)
    time.sleep(args.settle)
    stopped_at = time.monotonic()
    topology.redis.stop()
    time.sleep(min(5.0, args.outage / 2))
    logins = login_answers(world)
    time.sleep(max(0.0, args.outage - min(5.0, args.outage / 2)))
    topology.redis.start()
    back_at = time.monotonic()
    time.sleep(args.settle)
    traffic.finish()
    logins_after = login_answers(world)
    answers = traffic.between(0, float("inf"))
    during = traffic.between(stopped_at, back_at)
    errors = Counter(f"{a.status}" for a in answers if is_server_error(a))
    figures = {
        "outage_seconds": round(back_at - stopped_at, 1),
        "requests": len(answers),
        "requests_during_outage": len(during),
        "server_errors": sum(errors.values()),
        "server_errors_by_status": dict(errors),
        "logins_while_redis_away": {
            name: {
                "status": a.status,
                "let_in": let_in(name, a),
                "server_error": is_server_error(a),
            }
            for name, a in logins.items()
        },
        "logins_after_redis_back": {name: a.status for name, a in logins_after.items()},
    }
    figures["pass"] = (
        figures["server_errors"] == 0
        and not any(
            v["let_in"] or v["server_error"] for v in figures["logins_while_redis_away"].values()
        )
        and all(let_in(name, a) for name, a in logins_after.items())
    )
    return figures


# --- 4. A poison task ----------------------------------------------------------------------------


def poison(args, world) -> dict:
    from celery import current_app

    from nexus.core.models import DeadLetter

    log("4. a poison task")
    task = current_app.tasks["nexus.search.tasks.reindex_object"]
    started = time.monotonic()
    result = task.apply_async(("article", f"poison-{world.tag}"))
    try:
        wait_until(
            lambda: DeadLetter.objects.filter(task_id=result.id).exists(),
            args.timeout,
            "dead letter",
        )
    except TimeoutError:
        return {"task": task.name, "dead_lettered": False, "pass": False}
    letter = DeadLetter.objects.get(task_id=result.id)
    browser = Browser()
    login = browser.login("/admin/login/", world.admin_email)
    page = browser.open(f"/admin/core/deadletter/?q={result.id}")
    figures = {
        "task": task.name,
        "max_retries": task.max_retries,
        "tries": letter.tries,
        "error": letter.error,
        "dead_lettered_after_seconds": round(time.monotonic() - started, 1),
        "admin_login_status": login.status,
        "shown_in_admin": page.status == 200 and task.name.encode() in page.body,
    }
    figures["pass"] = figures["tries"] == task.max_retries + 1 and figures["shown_in_admin"]
    return figures


# --- Report -------------------------------------------------------------------------------------


def markdown(figures: dict) -> str:
    kills, rabbit, redis, bad = (
        figures[k] for k in ("worker_kills", "rabbitmq_stop", "redis_stop", "poison")
    )
    lines = [
        "# Faults on the native topology",
        "",
        f"Run: {figures['started']}, {figures['seconds']:.0f} s, {figures['arguments']}",
        "",
        "| fault | figures | pass |",
        "| --- | --- | --- |",
        f"| SIGKILL the worker x{len(kills['kills'])} "
        f"({kills['kills_with_work_pending']} with work pending) during {kills['tasks']} "
        "notification and webhook tasks | lost: notifications "
        f"{kills['notifications']['lost']}, webhooks {kills['webhooks']['lost']}, e-mails "
        f"{kills['emails']['lost']}; duplicates: notifications "
        f"{kills['notifications']['duplicates']}, webhooks {kills['webhooks']['duplicates']}; "
        f"repeats with the same key: webhook POSTs {figures['webhook_repeats']}, e-mails "
        f"{kills['emails']['repeats_same_message_id']}; all delivered "
        f"{kills['drained_seconds']} s after the last comment | "
        f"{'yes' if kills['pass'] else 'NO'} |",
        f"| RabbitMQ stopped {rabbit['outage_seconds']} s during writes | "
        f"{rabbit['writes']} writes ({rabbit['writes_during_outage']} in the outage), "
        f"{rabbit['write_errors']} errors, slowest "
        f"{rabbit['slowest_write_seconds']} s; lost {rabbit['lost']}; all delivered "
        f"{rabbit['all_delivered_seconds_after_restart']} s after the restart | "
        f"{'yes' if rabbit['pass'] else 'NO'} |",
        f"| Redis stopped {redis['outage_seconds']} s | {redis['requests']} requests "
        f"({redis['requests_during_outage']} in the outage), "
        f"{redis['server_errors']} server errors "
        f"{redis['server_errors_by_status'] or ''}; logins while away: "
        + ", ".join(
            f"{name} {v['status']}{' LET IN' if v['let_in'] else ''}"
            for name, v in redis["logins_while_redis_away"].items()
        )
        + f" | {'yes' if redis['pass'] else 'NO'} |",
        f"| poison task {bad['task']} | "
        + (
            f"{bad['tries']} tries (max_retries {bad['max_retries']}), dead-lettered after "
            f"{bad['dead_lettered_after_seconds']} s, in the admin: {bad['shown_in_admin']}"
            if bad.get("tries")
            else "never dead-lettered"
        )
        + f" | {'yes' if bad['pass'] else 'NO'} |",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=500, help="comments in the kill phase")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--kill-gap", type=float, default=4.0, help="seconds between kills")
    parser.add_argument("--outage", type=float, default=60.0, help="seconds each server is down")
    parser.add_argument("--pairs", type=int, default=10, help="readers and writers")
    parser.add_argument("--settle", type=float, default=10.0, help="traffic before/after outages")
    parser.add_argument("--timeout", type=float, default=600.0, help="longest wait for deliveries")
    args = parser.parse_args()

    started = time.monotonic()
    smtp = SMTPCatcher()
    receiver = WebhookReceiver()
    topology = Topology(email_url=smtp.url)
    with topology.running():
        setup_django(topology)
        world = seed(args.pairs, receiver)
        log(f"seeded {args.pairs} readers and writers (run {world.tag})")
        figures = {
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "arguments": vars(args),
            "worker_kills": worker_kills(args, topology, world, receiver, smtp),
            "rabbitmq_stop": rabbitmq_stop(args, topology, world, receiver, smtp),
            "redis_stop": redis_stop(args, topology, world, receiver, smtp),
            "poison": poison(args, world),
            "webhook_repeats": receiver.log.repeats(),
        }
    figures["seconds"] = time.monotonic() - started
    passed = all(
        figures[k]["pass"] for k in ("worker_kills", "rabbitmq_stop", "redis_stop", "poison")
    )
    figures["pass"] = passed
    report = markdown(figures)
    print(report)
    write_results("faults", figures, report)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
