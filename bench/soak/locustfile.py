"""The soak's users: 80 % reads, 20 % writes, against nginx on 127.0.0.1 (bench/soak/run.py).

Each user signs in with an API token the driver seeded (NEXUS_SOAK_WORLD names the JSON file with
tokens and article slugs). Writes carry the run's tag, so the driver can count their rows in the
database; every answer's status is tallied per kind and written to NEXUS_SOAK_TALLY at the end.
"""

import itertools
import json
import os
import random
import threading
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from locust import HttpUser, between, events, task

WORLD = json.loads(Path(os.environ["NEXUS_SOAK_WORLD"]).read_text())
TALLY: Counter[str] = Counter()
TALLY_LOCK = threading.Lock()
TOKENS = itertools.cycle(WORLD["tokens"])


def tally(kind: str, status: int, retry_after: bool) -> None:
    with TALLY_LOCK:
        TALLY[f"{kind} {status}"] += 1
        if status >= 500 and not (status == 503 and retry_after):
            TALLY["server_errors"] += 1


@events.test_stop.add_listener
def write_tally(**_: object) -> None:
    Path(os.environ["NEXUS_SOAK_TALLY"]).write_text(json.dumps(dict(TALLY), indent=2))


class Learner(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Token {next(TOKENS)}"
        self.client.headers["Accept"] = "application/json"

    def _get(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            tally("read", response.status_code, "Retry-After" in response.headers)
            if response.status_code >= 400:
                response.failure(f"HTTP {response.status_code}")

    def _post(self, path: str, payload: dict, kind: str) -> None:
        with self.client.post(path, json=payload, name=f"POST {kind}", catch_response=True) as r:
            tally(kind, r.status_code, "Retry-After" in r.headers)
            if r.status_code != 201:
                r.failure(f"HTTP {r.status_code}")

    # --- reads: 8 of every 10 tasks ------------------------------------------------------------

    @task(2)
    def article_list(self) -> None:
        self._get("/api/v1/articles/", "GET /api/v1/articles/")

    @task(2)
    def article_detail(self) -> None:
        slug = random.choice(WORLD["slugs"])
        self._get(f"/api/v1/articles/{slug}/", "GET /api/v1/articles/{slug}/")

    @task(1)
    def article_page(self) -> None:
        slug = random.choice(WORLD["slugs"])
        self._get(f"/articles/{slug}/", "GET /articles/{slug}/")

    @task(1)
    def search(self) -> None:
        self._get("/api/v1/search/?q=soak", "GET /api/v1/search/?q=")

    @task(1)
    def notifications(self) -> None:
        self._get("/api/v1/notifications/", "GET /api/v1/notifications/")

    @task(1)
    def home(self) -> None:
        self._get("/", "GET /")

    # --- writes: 2 of every 10 -------------------------------------------------------------------

    @task(1)
    def comment(self) -> None:
        slug = random.choice(WORLD["slugs"])
        body = {"body": f"Soak comment ({WORLD['tag']})"}
        self._post(f"/api/v1/articles/{slug}/comments/", body, "comment")

    @task(1)
    def journal_entry(self) -> None:
        day = date.today() - timedelta(days=random.randint(1, 60))
        body = {
            "date": day.isoformat(),
            "body": f"Soak entry ({WORLD['tag']})",
            "minutes_spent": 30,
        }
        self._post("/api/v1/journal/entries/", body, "journal_entry")
