"""Per-row cost of the list endpoints: Nexus's article and challenge lists (REST and GraphQL) side
by side with a naive DRF list (a plain ModelSerializer, one query per row and relation) over the
same rows, each called through Django's test client in this one process.

    make bench-lists                                  # SQLite (in-memory test database)
    DATABASE_URL=postgres://... make bench-lists      # PostgreSQL (creates test_<name>)
    BENCH_ARGS="--runs 10" make bench-lists

The cost of a row is the difference between a page of 100 and a page of 20, over 80: what the
request costs on top of a fixed part (routing, authentication, the response), in this process's
CPU time (the database server's time is not in it). The data lives in a throw-away test database.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402
from django.urls import include, path  # noqa: E402
from rest_framework import generics, serializers  # noqa: E402

from nexus.core import clock  # noqa: E402
from nexus.knowledge.models import Article, ArticleStatus  # noqa: E402

SMALL, LARGE = 20, 100
BODY = "## Why\n\nNetworks fail, so retry with backoff and make the task idempotent.\n\n" * 40


# --- The naive anchor: what a first DRF version of the article list looks like ----------------
class NaiveAuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class NaiveArticleSerializer(serializers.ModelSerializer):
    technologies = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    author = NaiveAuthorSerializer()
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Article
        fields = (
            "slug",
            "title",
            "summary",
            "kind",
            "technologies",
            "tags",
            "status",
            "author",
            "version",
            "reading_minutes",
            "helpful_count",
            "comment_count",
            "bookmark_count",
            "url",
            "created_at",
            "updated_at",
            "published_at",
            "outdated_since",
            "outdated_reason",
        )


class NaiveArticleList(generics.ListAPIView):
    serializer_class = NaiveArticleSerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        size = int(self.request.query_params.get("page_size", 20))
        published = Article.objects.filter(status=ArticleStatus.PUBLISHED)
        return published.order_by("-created_at", "-id")[:size]


# The benchmark's URLs: Nexus's own, plus the naive list.
urls = ModuleType("bench_lists_urls")
urls.urlpatterns = [  # type: ignore[attr-defined]
    path("naive/articles/", NaiveArticleList.as_view()),
    path("", include("nexus.urls")),
]


# --- Data ----------------------------------------------------------------------------------
def build(rows: int, seed: int) -> Any:
    """Authors, published articles and challenges with technologies and tags; returns a user."""
    from nexus.accounts.models import Role, User
    from nexus.challenges.models import Challenge
    from nexus.knowledge.models import Tag, Technology

    rng = random.Random(seed)
    authors = User.objects.bulk_create(
        User(
            email=f"author{n}@example.com",
            display_name=f"Author {n:03d}",
            role=Role.LEARNER,
            password="pbkdf2_sha256$1000000$bench$" + "x" * 44,
        )
        for n in range(30)
    )
    technologies = list(Technology.objects.all())
    tags = Tag.objects.bulk_create(Tag(name=f"topic-{n}") for n in range(40))
    articles = Article.objects.bulk_create(
        Article(
            slug=f"bench-article-{n}",
            title=f"Bench article number {n}",
            summary="What to do when the network fails, and how to find out it did. " * 2,
            body=BODY,
            body_html=f"<p>{BODY}</p>",
            kind="guide",
            status=ArticleStatus.PUBLISHED,
            author=rng.choice(authors),
            reading_minutes=4,
            published_at=clock.now(),
        )
        for n in range(rows)
    )
    challenges = Challenge.objects.bulk_create(
        Challenge(
            title=f"Bench challenge number {n}",
            body=BODY,
            body_html=f"<p>{BODY}</p>",
            author=rng.choice(authors),
        )
        for n in range(rows)
    )
    for items, model in ((articles, Article), (challenges, Challenge)):
        for relation, pool in (("technologies", technologies), ("tags", tags)):
            through = getattr(model, relation).through
            owner = f"{model._meta.model_name}_id"
            target = f"{pool[0]._meta.model_name}_id"
            through.objects.bulk_create(
                through(**{owner: item.pk, target: chosen.pk})
                for item in items
                for chosen in rng.sample(pool, rng.randint(2, 4))
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return authors[0]


# --- Measuring -----------------------------------------------------------------------------
ARTICLES_QUERY = """query($limit: Int!) { articles(limit: $limit) {
  slug title summary kind status version readingMinutes helpfulCount commentCount bookmarkCount
  createdAt updatedAt publishedAt author { id displayName } technologies { slug } tags } }"""
CHALLENGES_QUERY = """query($limit: Int!) { challenges(pagination: {limit: $limit}) { results {
  id title status score answerCount acceptedSolution duplicateOf createdAt solvedAt
  author { id displayName } technologies tags } } }"""


def rest(url: str) -> Callable[[Client, int, dict[str, str]], Any]:
    def call(client: Client, size: int, headers: dict[str, str]) -> Any:
        return client.get(f"{url}?page_size={size}", headers=headers)

    return call


def graphql(query: str) -> Callable[[Client, int, dict[str, str]], Any]:
    def call(client: Client, size: int, headers: dict[str, str]) -> Any:
        return client.post(
            "/graphql/",
            {"query": query, "variables": {"limit": size}},
            content_type="application/json",
            headers=headers,
        )

    return call


def measure(call: Callable, headers: dict[str, str], size: int, runs: int) -> tuple[float, int]:
    """The median CPU milliseconds of a request for a page of `size`, and its query count."""
    client = Client()
    for _ in range(3):  # warm caches, compiled templates and lazily built schemas
        response = call(client, size, headers)
        assert response.status_code == 200, response.content[:500]
    counted: list[int] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        counted.append(1)
        return execute(sql, params, many, context)

    times = []
    for _ in range(runs):
        counted.clear()
        with connection.execute_wrapper(count):
            start = time.process_time()
            call(client, size, headers)
            times.append((time.process_time() - start) * 1000)
    return statistics.median(times), len(counted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    setup_test_environment()
    # A name of its own, so a test run on the same server keeps its database.
    connection.settings_dict["TEST"]["NAME"] = f"test_{connection.settings_dict['NAME']}_lists"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from nexus.accounts.jwt import refresh_token_for

        user = build(args.rows, args.seed)
        bearer = {"Authorization": f"Bearer {refresh_token_for(user).access_token}"}
        cases = [
            ("naive DRF article list (N+1)", rest("/naive/articles/"), {}),
            ("REST articles, anonymous", rest("/api/v1/articles/"), {}),
            ("REST articles, signed in", rest("/api/v1/articles/"), bearer),
            ("REST challenges, anonymous", rest("/api/v1/challenges/"), {}),
            ("GraphQL articles, signed in", graphql(ARTICLES_QUERY), bearer),
            ("GraphQL challenges, signed in", graphql(CHALLENGES_QUERY), bearer),
        ]
        rows = []
        with override_settings(ROOT_URLCONF=urls):
            for name, call, headers in cases:
                small, small_queries = measure(call, headers, SMALL, args.runs)
                large, large_queries = measure(call, headers, LARGE, args.runs)
                rows.append((name, small, large, small_queries, large_queries))
        report = table(rows, connection.vendor, args)
        print(report)
        out = ROOT / "bench" / "results" / f"lists-{connection.vendor}.txt"
        out.write_text(report + "\n")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def table(rows: list[tuple], vendor: str, args: argparse.Namespace) -> str:
    per_row = {name: (large - small) / (LARGE - SMALL) for name, small, large, *_ in rows}
    naive = per_row[rows[0][0]]
    lines = [
        f"list endpoints · {vendor} · {args.rows} rows · median of {args.runs} · CPU ms",
        f"{'endpoint':<32} {'page 20':>8} {'page 100':>9} {'queries':>8} {'per row':>8} "
        f"{'naive/this':>10}",
    ]
    for name, small, large, small_queries, large_queries in rows:
        queries = f"{small_queries}/{large_queries}"
        lines.append(
            f"{name:<32} {small:>8.1f} {large:>9.1f} {queries:>8} {per_row[name]:>8.3f} "
            f"{naive / per_row[name]:>10.1f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
