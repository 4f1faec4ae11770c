"""The HTTP benchmark's dataset: a PostgreSQL database of its own, built once and reused.

    python -m bench.web.dataset [--scale 0.01] [--rebuild]

At scale 1: 10,000 users, 100,000 articles (technologies, tags, a first revision, about 200,000
comments), 50,000 challenges with 150,000 solutions and 1,000,000 votes (with the reputation
ledger they earn), 500 API operations, and the search index over all of it. Rows go in with COPY,
the columns filled as the services would fill them: bodies rendered by the project's Markdown
renderer, counters equal to the rows they count, index entries made by the search app's own
mapping. A table of the benchmark's own (bench_dataset) records what was built, so a later run
with the same version and scale skips the build; --rebuild drops the database and starts again.
"""

import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
ROLE = "nexus_bench"
# Bump when what is built changes: a database of another version is rebuilt.
VERSION = 2
PASSWORD = "bench-password-15"  # every generated account's; the benchmark logs in with it
READER_EMAIL = "reader@bench.nexus"
SEED = 15

SIZES = {
    "users": 10_000,
    "articles": 100_000,
    "challenges": 50_000,
    "solutions": 150_000,
    "challenge_votes": 400_000,
    "solution_votes": 600_000,
    "apis": 10,
}
OPERATIONS_PER_API = 50
# A common word (in most bodies) and a rare one (in a handful of titles) for the search cells.
COMMON_WORD = "cache"
RARE_WORD_INDEX = 1234

TOPICS = """cache caching index query migration retry queue worker schema endpoint token
authentication permission pagination cursor filter deployment container image pipeline build
test fixture mock latency throughput replica backup transaction lock deadlock timeout webhook
event outbox consumer producer serializer validation error exception logging metrics alert
dashboard tracing profiling memory connection pool session cookie upload stream websocket
scheduler backoff idempotency throttling sharding partition vacuum join aggregate ranking""".split()  # noqa: SIM905
FILLER = """the a of to in for on with and when how why this that we you it is are was be have
use make need keep run set small large fast slow first every other new good better simple data
user request response server client service app code file page list item value way""".split()  # noqa: SIM905
TECHNOLOGIES = {
    "Backend": ["Python", "Django", "FastAPI", "Celery", "Go", "Rust", "Node.js", "Java"],
    "Data": ["PostgreSQL", "Redis", "RabbitMQ", "Kafka", "SQLite", "MongoDB", "Elasticsearch"],
    "Frontend": ["React", "TypeScript", "htmx", "Vue", "CSS", "Svelte", "Webpack", "Vite"],
    "APIs": ["REST", "GraphQL", "OpenAPI", "gRPC", "WebSockets", "OAuth", "JWT"],
    "DevOps": ["Docker", "Kubernetes", "Nginx", "GitHub Actions", "Terraform", "Prometheus"],
    "Testing": ["pytest", "Playwright", "Hypothesis", "Locust", "Jest"],
}
KINDS = ("concept", "guide", "best_practice", "takeaway", "insight")
KIND_LABELS = {
    "concept": "Concept",
    "guide": "Guide",
    "best_practice": "Best practice",
    "takeaway": "Takeaway",
    "insight": "Insight",
}
ANSWERS = (0, 1, 2, 3, 3, 4, 5, 6)  # solutions a challenge has: 3 on average, some none
BODY_POOL = 400  # distinct rendered bodies; rendering 250,000 of them would take the build's time
BATCH = 5_000


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Progress:
    """One line rewritten in place: what is being built, how far, how long."""

    def __init__(self, what: str, total: int) -> None:
        self.what, self.total, self.done = what, total, 0
        self.started = time.monotonic()
        self._shown = 0.0

    def add(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._shown > 0.5 or self.done >= self.total:
            self._shown = now
            share = self.done / self.total if self.total else 1
            bar = "#" * int(share * 30)
            print(
                f"\r  {self.what:<18} [{bar:<30}] {self.done:>9,}/{self.total:,} "
                f"{now - self.started:6.1f} s",
                end="",
                flush=True,
            )

    def finish(self) -> None:
        print(flush=True)


# --- The database -----------------------------------------------------------------------------


def psql(sql: str, database: str = "postgres") -> str:
    """As the postgres superuser through the local socket, as deploy/local/up provisions."""
    command = ["psql", "-p", "5432", "-d", database, "-v", "ON_ERROR_STOP=1", "-qtAc", sql]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, cwd="/", capture_output=True, text=True, check=True).stdout


def database(scale: float) -> str:
    """nexus_bench at full scale; a smaller dataset has a database beside it (nexus_bench_0_01),
    so a quick run never replaces the full one."""
    return ROLE if scale == 1 else f"{ROLE}_{scale:g}".replace(".", "_")


def database_url(scale: float) -> str:
    return f"postgres://{ROLE}:{ROLE}@127.0.0.1:5432/{database(scale)}"


def recorded(name: str) -> dict[str, Any] | None:
    """What bench_dataset says was built, or None when the database or the record is missing."""
    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip():
        return None
    if not psql("SELECT to_regclass('bench_dataset')", database=name).strip():
        return None  # a build that did not finish
    row = psql("SELECT row_to_json(d) FROM bench_dataset d LIMIT 1", database=name).strip()
    return json.loads(row) if row else None


def recreate_database(name: str) -> None:
    if not psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}'").strip():
        psql(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{ROLE}'")
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name} OWNER {ROLE}")


def django_env(scale: float) -> dict[str, str]:
    """Embedded mode on the bench database: no broker, so events run in this process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    env.pop("CELERY_BROKER_URL", None)
    env.update(
        DATABASE_URL=database_url(scale),
        DJANGO_SETTINGS_MODULE="nexus.settings",
        NEXUS_MODE="embedded",
        DEBUG="false",
        PYTHONPATH=str(REPO),
    )
    return env


def ensure(scale: float, *, rebuild: bool = False) -> dict[str, Any]:
    """The dataset at this scale, built unless it is already there; returns its record."""
    name = database(scale)
    record = recorded(name)
    if not rebuild and record and record["version"] == VERSION and record["scale"] == scale:
        log(f"reusing the dataset in {name} (built {record['built_at']}, scale {scale:g})")
        return record
    log(f"building the dataset in {name} at scale {scale:g} (once; later runs reuse it)")
    recreate_database(name)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=REPO,
        env=django_env(scale),
        check=True,
    )
    subprocess.run(
        [sys.executable, "-m", "bench.web.dataset", "--build-here", "--scale", str(scale)],
        cwd=REPO,
        env=django_env(scale),
        check=True,
    )
    built = recorded(name)
    assert built is not None
    return built


# --- Building (inside Django, on the bench database) --------------------------------------------


def build(scale: float) -> None:
    import django

    django.setup()
    Builder(scale).run()


def _rows_for(model: Any, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> Iterator[list]:
    """Each row as COPY wants it: the given values, the field's default for the others."""
    fields = [model._meta.get_field(column) for column in columns]
    defaults = [field.get_default() for field in fields]
    is_json = [field.get_internal_type() == "JSONField" for field in fields]
    for row in rows:
        values = []
        for column, default, json_column in zip(columns, defaults, is_json, strict=True):
            value = row.get(column, default)
            values.append(json.dumps(value) if json_column and value is not None else value)
        yield values


class Builder:
    def __init__(self, scale: float) -> None:
        from django.utils import timezone

        self.scale = scale
        self.size = {name: max(1, round(count * scale)) for name, count in SIZES.items()}
        self.rng = random.Random(SEED)
        self.now = timezone.now().replace(microsecond=0)
        self.rare_words = self._made_up_words(20_000)
        self.public_entries: list[Any] = []

    # Helpers ------------------------------------------------------------------------------

    def copy(self, model: Any, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> int:
        from django.db import connection

        table = model._meta.db_table
        count = 0
        with (
            connection.cursor() as cursor,
            cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy,
        ):
            for values in _rows_for(model, columns, rows):
                copy.write_row(values)
                count += 1
        return count

    def next_id(self, model: Any) -> int:
        from django.db.models import Max

        return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1

    def moment(self, days_back: float = 1000) -> datetime:
        return self.now - timedelta(seconds=self.rng.uniform(3600, days_back * 86400))

    def after(self, moment: datetime, hours: float) -> datetime:
        """Up to `hours` after a moment, never in the future (the periodic sync looks there)."""
        return min(moment + timedelta(hours=self.rng.uniform(1, hours)), self.now)

    def topic(self) -> str:
        # Zipf-like: a few topics are in most texts, most are rarer, as in real writing.
        return TOPICS[min(int(self.rng.paretovariate(1.1)) - 1, len(TOPICS) - 1)]

    def sentence(self, words: int) -> str:
        text = " ".join(
            self.topic() if self.rng.random() < 0.3 else self.rng.choice(FILLER)
            for _ in range(words)
        )
        return text.capitalize() + "."

    def _made_up_words(self, count: int) -> list[str]:
        syllables = ["ka", "lo", "mi", "ru", "ze", "ta", "vo", "pi", "ne", "qu", "sha", "dor"]
        rng = random.Random(SEED + 1)
        words: set[str] = set()
        while len(words) < count:
            words.add("".join(rng.choice(syllables) for _ in range(4)))
        return sorted(words)

    def title(self, technology: str) -> str:
        # Not Zipf like bodies: a title's words are distinct and each is in a few percent of
        # titles, else every challenge is "similar" to every other (the detail page asks).
        words = self.rng.sample(TOPICS, self.rng.randint(2, 4))
        return f"{technology} {' '.join(words)} {self.rng.choice(self.rare_words)}".capitalize()

    def markdown(self, paragraphs: int) -> str:
        parts = []
        for number in range(paragraphs):
            if number and number % 3 == 0:
                parts.append(f"## {self.sentence(4)[:-1]}")
            parts.append(" ".join(self.sentence(self.rng.randint(8, 20)) for _ in range(3)))
            if number % 4 == 1:
                parts.append(f"```python\n{self.topic()}_value = compute('{self.topic()}')\n```")
            if number % 5 == 2:
                parts.append("\n".join(f"- {self.sentence(6)}" for _ in range(3)))
        return "\n\n".join(parts)

    def rendered_pool(self, paragraphs: tuple[int, int], count: int = BODY_POOL) -> list[dict]:
        import html

        from django.utils.html import strip_tags

        from nexus.core.markdown import render_markdown
        from nexus.knowledge.rendering import content_hash

        pool = []
        for _ in range(count):
            body = self.markdown(self.rng.randint(*paragraphs))
            rendered = render_markdown(body)
            pool.append(
                {
                    "body": body,
                    "body_html": rendered.html,
                    "body_hash": content_hash(body),
                    "toc": [
                        {"level": e.level, "text": e.text, "anchor": e.anchor} for e in rendered.toc
                    ],
                    "reading_minutes": rendered.reading_minutes,
                    "plain": html.unescape(strip_tags(rendered.html)),
                }
            )
        return pool

    # Phases -------------------------------------------------------------------------------

    def run(self) -> None:
        from django.db import connection, transaction

        started = time.monotonic()
        log(f"sizes: {', '.join(f'{k} {v:,}' for k, v in self.size.items())}")
        self.article_bodies = self.rendered_pool((4, 9))
        self.challenge_bodies = self.rendered_pool((2, 4))
        self.solution_bodies = self.rendered_pool((1, 3))
        self.comment_bodies = self.rendered_pool((1, 1), count=100)
        with transaction.atomic():
            self.users()
            self.taxonomy()
        with transaction.atomic():
            self.articles()
        with transaction.atomic():
            self.challenges()
        with transaction.atomic():
            self.votes()
        self.reset_sequences()
        self.operations()
        self.search_words()
        self.finish(time.monotonic() - started)
        connection.close()

    def users(self) -> None:
        from django.contrib.auth.hashers import make_password

        from nexus.accounts.models import User

        first = self.next_id(User)
        count = self.size["users"]
        password = make_password(PASSWORD)  # hashed once: hashing 10,000 takes minutes
        progress = Progress("users", count)
        first_names = ["Ada", "Bola", "Chen", "Dana", "Emeka", "Fern", "Goran", "Hana", "Ivo"]
        last_names = ["Okafor", "Lind", "Moreau", "Sato", "Novak", "Silva", "Haddad", "Kim"]

        def rows() -> Iterator[dict[str, Any]]:
            for offset in range(count):
                joined = self.moment(1500)
                yield {
                    "id": first + offset,
                    "password": password,
                    "email": READER_EMAIL if offset == 0 else f"user{offset}@bench.nexus",
                    "display_name": f"{self.rng.choice(first_names)} "
                    f"{self.rng.choice(last_names)} {offset}",
                    "track": self.rng.choice(["backend", "frontend", "fullstack"]),
                    "role": "mentor" if offset % 100 == 1 else "learner",
                    "date_joined": joined,
                    "created_at": joined,
                    "updated_at": joined,
                }
                progress.add(1)

        columns = [
            "id", "password", "email", "display_name", "track", "role", "is_active", "is_staff",
            "is_superuser", "date_joined", "signup_pending", "auth_generation", "bio",
            "avatar_url", "cohort", "created_at", "updated_at",
        ]  # fmt: skip
        self.copy(User, columns, rows())
        progress.finish()
        self.user_ids = list(range(first, first + count))
        # Some people write most of the content, as on any community site.
        weights = [1 / (rank + 1) ** 0.8 for rank in range(count)]
        weights[0] = 0  # the account the benchmark signs in as only reads: it has no drafts
        self.author_weights = list(itertools.accumulate(weights))

    def author(self) -> int:
        return self.rng.choices(self.user_ids, cum_weights=self.author_weights)[0]

    def taxonomy(self) -> None:
        from django.utils.text import slugify

        from nexus.knowledge.models import Tag, Technology, TechnologyCategory

        self.technologies: list[tuple[int, str, str]] = []
        for position, (category_name, names) in enumerate(TECHNOLOGIES.items()):
            category, _ = TechnologyCategory.objects.get_or_create(
                slug=slugify(category_name), defaults={"name": category_name, "position": position}
            )
            for name in names:
                tech, _ = Technology.objects.get_or_create(
                    slug=slugify(name.replace(".", "-")),
                    defaults={"name": name, "category": category, "description": f"About {name}."},
                )
                self.technologies.append((tech.pk, tech.slug, tech.name))
        names = sorted({f"{self.rng.choice(TOPICS)}-{self.rng.choice(TOPICS)}" for _ in range(600)})
        Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
        self.tags = list(Tag.objects.values_list("pk", "name"))

    def articles(self) -> None:
        from django.utils.text import slugify

        from nexus.knowledge.models import Article, ArticleRevision, Comment
        from nexus.search.registry import Facet, IndexEntry, Visibility

        count = self.size["articles"]
        first = self.next_id(Article)
        comment_id = self.next_id(Comment)
        revision_id = self.next_id(ArticleRevision)
        url = Article(slug="SLUG").get_absolute_url()
        progress = Progress("articles", count)
        for start in range(0, count, BATCH):
            articles, revisions, comments, technologies, tags, index = [], [], [], [], [], []
            for pk in range(first + start, first + min(count, start + BATCH)):
                techs = self.rng.sample(self.technologies, self.rng.randint(1, 4))
                tag_rows = self.rng.sample(self.tags, self.rng.randint(1, 4))
                body = self.article_bodies[pk % len(self.article_bodies)]
                title = self.title(techs[0][2])
                created = self.moment()
                roll = self.rng.random()
                status = "published" if roll < 0.9 else ("draft" if roll < 0.97 else "archived")
                author = self.author()
                kind = self.rng.choice(KINDS)
                n_comments = self.rng.choice([0, 0, 1, 2, 2, 3, 4, 4])
                article = {
                    "id": pk,
                    "slug": f"{slugify(title)[:100]}-{pk}",
                    "title": title,
                    "summary": self.sentence(12),
                    **{k: body[k] for k in ("body", "body_html", "body_hash", "toc")},
                    "reading_minutes": body["reading_minutes"],
                    "kind": kind,
                    "status": status,
                    "author_id": author,
                    "published_at": created if status != "draft" else None,
                    "comment_count": n_comments,
                    "created_at": created,
                    "updated_at": created,
                }
                articles.append(article)
                revisions.append(
                    {
                        **{k: article[k] for k in ("title", "summary", "body", "body_html")},
                        **{k: article[k] for k in ("body_hash", "kind", "status")},
                        "id": revision_id,
                        "article_id": pk,
                        "number": 1,
                        "technology_slugs": sorted(slug for _, slug, _ in techs),
                        "tag_names": sorted(name for _, name in tag_rows),
                        "editor_id": author,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                revision_id += 1
                technologies += [{"article_id": pk, "technology_id": t[0]} for t in techs]
                tags += [{"article_id": pk, "tag_id": t[0]} for t in tag_rows]
                thread = None
                for _ in range(n_comments):
                    text = self.rng.choice(self.comment_bodies)
                    when = self.after(created, 2000)
                    comments.append(
                        {
                            "id": comment_id,
                            "article_id": pk,
                            "author_id": self.rng.choice(self.user_ids),
                            "parent_id": thread if self.rng.random() < 0.3 else None,
                            "body": text["body"],
                            "body_html": text["body_html"],
                            "created_at": when,
                            "updated_at": when,
                        }
                    )
                    thread = thread or comment_id
                    comment_id += 1
                published = status == "published"
                index.append(
                    (
                        "article",
                        pk,
                        IndexEntry(
                            title=title,
                            summary=article["summary"],
                            body=body["plain"],
                            url=url.replace("SLUG", article["slug"]),
                            technologies=[Facet(slug, name) for _, slug, name in techs],
                            tags=[Facet(name, name) for _, name in tag_rows],
                            owner_id=author,
                            author_name=self.display_names[author],
                            status=status,
                            visibility=Visibility.PUBLIC if published else Visibility.MODERATORS,
                            freshness=article["published_at"] or created,
                            extra_keywords=[KIND_LABELS[kind]],
                        ),
                    )
                )
            self.copy(Article, [*articles[0], "version", "helpful_count", "bookmark_count",
                                "outdated_reason"], articles)  # fmt: skip
            self.copy(Article.technologies.through, ["article_id", "technology_id"], technologies)
            self.copy(Article.tags.through, ["article_id", "tag_id"], tags)
            self.copy(ArticleRevision, [*revisions[0], "message"], revisions)
            if comments:
                self.copy(Comment, list(comments[0]), comments)
            self.index(index)
            progress.add(len(articles))
        progress.finish()

    @property
    def display_names(self) -> dict[int, str]:
        if not hasattr(self, "_display_names"):
            from nexus.accounts.models import User

            self._display_names = dict(User.objects.values_list("pk", "display_name"))
        return self._display_names

    def challenges(self) -> None:
        from nexus.challenges.models import Challenge, ChallengeTerm, Solution
        from nexus.challenges.search import SOLVED_VOTES_BONUS
        from nexus.challenges.similarity import title_terms
        from nexus.search.registry import Facet, IndexEntry

        count = self.size["challenges"]
        per_challenge = self.size["solutions"] / count
        first = self.next_id(Challenge)
        solution_id = self.next_id(Solution)
        url = Challenge(pk=999_999_999).get_absolute_url()
        progress = Progress("challenges", count)
        self.solutions_of: dict[int, list[int]] = {}
        self.solution_authors: dict[int, int] = {}
        self.challenge_authors: dict[int, int] = {}
        for start in range(0, count, BATCH):
            challenges, solutions, technologies, tags, terms, index = [], [], [], [], [], []
            for pk in range(first + start, first + min(count, start + BATCH)):
                techs = self.rng.sample(self.technologies, self.rng.randint(1, 3))
                tag_rows = self.rng.sample(self.tags, self.rng.randint(1, 3))
                body = self.challenge_bodies[pk % len(self.challenge_bodies)]
                title = self.title(techs[0][2])
                created = self.moment()
                author = self.author()
                answers = round(self.rng.choice(ANSWERS) * per_challenge / 3)
                own = []
                for _ in range(answers):
                    text = self.rng.choice(self.solution_bodies)
                    when = self.after(created, 500)
                    solver = self.author()
                    solutions.append(
                        {
                            "id": solution_id,
                            "challenge_id": pk,
                            "author_id": solver,
                            "body": text["body"],
                            "body_html": text["body_html"],
                            "created_at": when,
                            "updated_at": when,
                        }
                    )
                    own.append((solution_id, text["plain"]))
                    self.solution_authors[solution_id] = solver
                    solution_id += 1
                solved = bool(own) and self.rng.random() < 0.4
                accepted = own[0][0] if solved else None
                solved_at = self.after(created, 72) if solved else None
                challenges.append(
                    {
                        "id": pk,
                        "title": title,
                        "body": body["body"],
                        "body_html": body["body_html"],
                        "author_id": author,
                        "status": "solved" if solved else "open",
                        "accepted_solution_id": accepted,
                        "answer_count": len(own),
                        "solved_at": solved_at,
                        "created_at": created,
                        "updated_at": solved_at or created,
                    }
                )
                self.solutions_of[pk] = [sid for sid, _ in own]
                self.challenge_authors[pk] = author
                technologies += [{"challenge_id": pk, "technology_id": t[0]} for t in techs]
                tags += [{"challenge_id": pk, "tag_id": t[0]} for t in tag_rows]
                terms += [
                    {"challenge_id": pk, "term": term, "created_at": created, "updated_at": created}
                    for term in title_terms(title)
                ]
                # Votes come later: the index's votes are set from the scores then.
                index.append(
                    (
                        "challenge",
                        pk,
                        IndexEntry(
                            title=title,
                            body="\n\n".join([body["plain"], *(plain for _, plain in own)]),
                            url=url.replace("999999999", str(pk)),
                            technologies=[Facet(slug, name) for _, slug, name in techs],
                            tags=[Facet(name, name) for _, name in tag_rows],
                            owner_id=author,
                            author_name=self.display_names[author],
                            status="solved" if solved else "open",
                            freshness=solved_at or created,
                            votes=SOLVED_VOTES_BONUS if solved else 0,
                        ),
                    )
                )
            self.copy(Challenge, [*challenges[0], "score"], challenges)
            if solutions:
                self.copy(Solution, [*solutions[0], "score", "outdated_reason"], solutions)
            self.copy(
                Challenge.technologies.through, ["challenge_id", "technology_id"], technologies
            )
            self.copy(Challenge.tags.through, ["challenge_id", "tag_id"], tags)
            self.copy(ChallengeTerm, list(terms[0]), terms)
            self.index(index)
            progress.add(len(challenges))
        progress.finish()

    def votes(self) -> None:
        from django.db import connection

        from nexus.challenges.models import ChallengeVote, SolutionVote
        from nexus.challenges.search import SOLVED_VOTES_BONUS
        from nexus.challenges.services.common import (
            POINTS_ACCEPTED,
            POINTS_CHALLENGE_UPVOTE,
            POINTS_DOWNVOTE,
            POINTS_SOLUTION_UPVOTE,
        )

        def spread(items: list[int], total: int, what: str, model: Any, column: str) -> None:
            progress = Progress(what, total)
            per_item = total / len(items)

            def rows() -> Iterator[dict[str, Any]]:
                made = 0
                for position, item in enumerate(items):
                    remaining = total - made
                    wanted = round(per_item * (position + 1)) - made
                    wanted = max(0, min(wanted, remaining, len(self.user_ids)))
                    for user in self.rng.sample(self.user_ids, wanted):
                        when = self.moment(900)
                        yield {
                            column: item,
                            "user_id": user,
                            "value": 1 if self.rng.random() < 0.8 else -1,
                            "created_at": when,
                            "updated_at": when,
                        }
                    made += wanted
                    progress.add(wanted)

            self.copy(model, [column, "user_id", "value", "created_at", "updated_at"], rows())
            progress.finish()

        challenge_ids = list(self.solutions_of)
        solution_ids = list(self.solution_authors)
        spread(challenge_ids, self.size["challenge_votes"], "challenge votes", ChallengeVote,
               "challenge_id")  # fmt: skip
        if solution_ids:
            spread(solution_ids, self.size["solution_votes"], "solution votes", SolutionVote,
                   "solution_id")  # fmt: skip
        log("  scores, the reputation ledger and the index's vote counts")
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE challenges_challenge c SET score = v.total
                FROM (SELECT challenge_id, sum(value) AS total FROM challenges_challengevote
                      GROUP BY challenge_id) v
                WHERE v.challenge_id = c.id;
                UPDATE challenges_solution s SET score = v.total
                FROM (SELECT solution_id, sum(value) AS total FROM challenges_solutionvote
                      GROUP BY solution_id) v
                WHERE v.solution_id = s.id;
                INSERT INTO challenges_reputationentry
                    (user_id, challenge_id, reason, source_id, points, created_at, updated_at)
                SELECT c.author_id, c.id, 'challenge_vote', v.id,
                       CASE WHEN v.value > 0 THEN %(challenge_up)s ELSE %(down)s END,
                       v.created_at, v.created_at
                FROM challenges_challengevote v JOIN challenges_challenge c
                    ON c.id = v.challenge_id;
                INSERT INTO challenges_reputationentry
                    (user_id, challenge_id, reason, source_id, points, created_at, updated_at)
                SELECT s.author_id, s.challenge_id, 'solution_vote', v.id,
                       CASE WHEN v.value > 0 THEN %(solution_up)s ELSE %(down)s END,
                       v.created_at, v.created_at
                FROM challenges_solutionvote v JOIN challenges_solution s
                    ON s.id = v.solution_id;
                INSERT INTO challenges_reputationentry
                    (user_id, challenge_id, reason, source_id, points, created_at, updated_at)
                SELECT s.author_id, c.id, 'accepted', s.id, %(accepted)s, c.solved_at, c.solved_at
                FROM challenges_challenge c JOIN challenges_solution s
                    ON s.id = c.accepted_solution_id;
                UPDATE search_searchdocument d
                SET votes = greatest(c.score, 0)
                    + CASE WHEN c.status = 'solved' THEN %(bonus)s ELSE 0 END
                FROM challenges_challenge c
                WHERE d.doc_type = 'challenge' AND d.object_id = c.id;
                """,
                {
                    "challenge_up": POINTS_CHALLENGE_UPVOTE,
                    "solution_up": POINTS_SOLUTION_UPVOTE,
                    "down": POINTS_DOWNVOTE,
                    "accepted": POINTS_ACCEPTED,
                    "bonus": SOLVED_VOTES_BONUS,
                },
            )

    def index(self, entries: list[tuple[str, int, Any]]) -> None:
        """Index entries as the search app stores them (its own field mapping), in bulk."""
        from nexus.search.models import SearchDocument, SearchDocumentTerm
        from nexus.search.services import _document_fields, _entry_terms

        first = self.next_id(SearchDocument)
        documents, terms = [], []
        for offset, (doc_type, object_id, entry) in enumerate(entries):
            when = entry.freshness
            documents.append(
                {
                    "id": first + offset,
                    "doc_type": doc_type,
                    "object_id": object_id,
                    **_document_fields(entry),
                    "created_at": when,
                    "updated_at": when,
                }
            )
            terms += [
                {
                    "document_id": first + offset,
                    "kind": kind,
                    "value": value,
                    "label": label[:80],
                    "created_at": when,
                    "updated_at": when,
                }
                for (kind, value), label in _entry_terms(entry).items()
            ]
            if entry.visibility == "public":
                self.public_entries.append(entry)
        self.copy(SearchDocument, list(documents[0]), documents)
        self.copy(SearchDocumentTerm, list(terms[0]), terms)

    def search_words(self) -> None:
        """Autocomplete and the typo vocabulary, from public entries as the index learns them."""
        from nexus.search.models import SearchSuggestion, SearchVocabulary
        from nexus.search.query import words_of
        from nexus.search.services import VOCABULARY_WORD

        suggestions: dict[tuple[str, str], str] = {}
        words: set[str] = set()
        for entry in self.public_entries:
            for kind, facets in (("technology", entry.technologies), ("tag", entry.tags)):
                for facet in facets:
                    suggestions[kind, facet.value[:64]] = (facet.label or facet.value)[:80]
            text = " ".join([entry.title, *(f.label or f.value for f in entry.technologies)])
            text += " " + " ".join(f.value.replace("-", " ") for f in entry.tags)
            words.update(w for w in words_of(text) if VOCABULARY_WORD.match(w))
        SearchSuggestion.objects.bulk_create(
            [
                SearchSuggestion(kind=k, value=v, label=label)
                for (k, v), label in suggestions.items()
            ],
            ignore_conflicts=True,
        )
        SearchVocabulary.objects.bulk_create(
            [SearchVocabulary(word=word) for word in sorted(words)],
            batch_size=5000,
            ignore_conflicts=True,
        )

    def reset_sequences(self) -> None:
        """COPY wrote the ids itself: the identity sequences continue after them."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT format('SELECT setval(%L, (SELECT coalesce(max(%I), 0) + 1 FROM %s),
                       false)', pg_get_serial_sequence(c.oid::regclass::text, a.attname),
                       a.attname, c.oid::regclass)
                FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attidentity <> ''
                """
            )
            for (statement,) in cursor.fetchall():
                cursor.execute(statement)

    def operations(self) -> None:
        """API catalog entries through the services: specs parsed, operations indexed."""
        from nexus.accounts.models import User
        from nexus.collab.services import catalog

        count = self.size["apis"]
        progress = Progress("API operations", count * OPERATIONS_PER_API)
        owner = User.objects.get(email=READER_EMAIL)
        for number in range(count):
            resource = f"{TOPICS[number % len(TOPICS)]}s"
            api = catalog.api_create(
                actor=owner,
                name=f"Bench {resource} API {number}",
                description=self.sentence(15),
                base_url=f"https://{resource}.example.com",
            )
            paths: dict[str, dict] = {}
            for op in range(OPERATIONS_PER_API // 2):
                item = f"/{resource}/{op}/{{id}}"
                paths[item] = {
                    method: {
                        "operationId": f"{method}_{resource}_{op}",
                        "summary": self.sentence(6),
                        "parameters": [
                            {
                                "name": "id",
                                "in": "path",
                                "required": True,
                                "schema": {"type": "integer"},
                            }
                        ],
                        "responses": {"200": {"description": "OK"}},
                    }
                    for method in ("get", "delete")
                }
            spec = {
                "openapi": "3.0.3",
                "info": {"title": api.name, "version": "1.0.0"},
                "paths": paths,
            }
            catalog.spec_version_create(api=api, actor=owner, raw=json.dumps(spec), source="upload")
            progress.add(OPERATIONS_PER_API)
        progress.finish()

    def finish(self, seconds: float) -> None:
        from django.db import connection

        from nexus.search import registry
        from nexus.search.models import SearchSyncState

        # The periodic sync would otherwise re-index every object once the topology's beat runs.
        for doc_type in registry.providers():
            SearchSyncState.objects.update_or_create(
                doc_type=doc_type, defaults={"synced_until": self.now + timedelta(minutes=1)}
            )
        log("  VACUUM ANALYZE")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            counts = {}
            for table in ("knowledge_article", "knowledge_comment", "challenges_challenge",
                          "challenges_solution", "challenges_challengevote",
                          "challenges_solutionvote", "collab_operation", "accounts_user",
                          "search_searchdocument"):  # fmt: skip
                cursor.execute(f"SELECT count(*) FROM {table}")
                counts[table] = cursor.fetchone()[0]
            cursor.execute(
                "CREATE TABLE bench_dataset (version int, scale float8, built_at timestamptz, "
                "seconds float8, rare_word text, common_word text, counts jsonb)"
            )
            cursor.execute(
                "INSERT INTO bench_dataset VALUES (%s, %s, now(), %s, %s, %s, %s)",
                [VERSION, self.scale, round(seconds, 1), self.rare_word(), COMMON_WORD,
                 json.dumps(counts)],
            )  # fmt: skip
        log(f"built in {seconds:.0f} s: {', '.join(f'{k} {v:,}' for k, v in counts.items())}")

    def rare_word(self) -> str:
        """A made-up title word that a handful of public documents carry."""
        from nexus.search.models import SearchDocument

        candidates = self.rare_words[RARE_WORD_INDEX:] + self.rare_words[:RARE_WORD_INDEX]
        for word in candidates:
            hits = SearchDocument.objects.filter(visibility="public", title__icontains=word)
            if 1 <= hits.count() <= 20:
                return word
        return candidates[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--build-here", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.build_here:
        build(options.scale)
    else:
        started = time.monotonic()
        ensure(options.scale, rebuild=options.rebuild)
        log(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
