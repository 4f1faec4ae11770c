"""Search benchmark: 100,000 mixed documents, 200 queries, ours vs naive icontains vs raw FTS.

    make bench-search                               # SQLite (a fresh file under bench/results/)
    DATABASE_URL=postgres://... make bench-search   # PostgreSQL (a fresh test_<name> database)

Builds the documents straight into the index (as the rebuild would), then times each query
through the service layer (`selectors.search`, with facets, snippets and the visibility check),
a naive `icontains` search over the same rows (the page alone, and the page with its total, which
a results page shows), and the bare full-text query: ranked over every match, and ranked over
the newest matches the service takes as candidates (the limit for what the service does).
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402

TYPES = ("article", "challenge", "operation", "issue")
TECHNOLOGIES = [
    ("postgresql", "PostgreSQL"),
    ("redis", "Redis"),
    ("celery", "Celery"),
    ("rabbitmq", "RabbitMQ"),
    ("django", "Django"),
    ("docker", "Docker"),
    ("kubernetes", "Kubernetes"),
    ("graphql", "GraphQL"),
    ("rest", "REST"),
    ("python", "Python"),
    ("jenkins", "Jenkins"),
    ("nginx", "Nginx"),
    ("react", "React"),
    ("typescript", "TypeScript"),
    ("github-actions", "GitHub Actions"),
    ("monitoring", "Monitoring"),
    ("cron", "Cron"),
    ("firewalls", "Firewalls"),
]
TOPIC_WORDS = """cache caching index indexes query queries migration migrations retry retries queue
queues worker workers schema schemas endpoint endpoints token tokens authentication authorization
permission permissions pagination cursor filter filters deployment container containers image
images pipeline pipelines build test tests testing fixture fixtures mock latency throughput
replica replicas backup restore transaction transactions lock locking deadlock timeout timeouts
webhook webhooks event events outbox consumer producer exchange binding serializer serializers
validation error errors exception logging metrics alert alerts dashboard tracing profile profiling
memory leak connection pool pooling session cookie csrf cors header headers upload download
stream streaming websocket polling scheduler schedule cronjob backoff idempotent idempotency
throttle throttling rate limit limits sharding partition partitions vacuum analyze explain plan
join joins subquery aggregate aggregation fulltext trigram ranking relevance snippet highlight
search searching autocomplete suggestion suggestions typo typos spelling stemming""".split()  # noqa: SIM905
FILLER = """the a an of to in for on with and or but when how why what which this that we you it is
are was be have has use using used make makes made need needs keep keeps run runs running set
sets small large fast slow first last every each other new old good better best simple hard easy
data user users request requests response responses server client service services app apps
code file files page pages list lists item items value values time times step steps way""".split()  # noqa: SIM905
BENCH_TYPES = {name: f"Bench {name}s" for name in TYPES}
WARM_UP_QUERIES = 10


def word(rng: random.Random, pool: list[str], skew: float = 1.2) -> str:
    # Zipf-like: a few words are very common, most are rare, as in real text.
    return pool[min(int(rng.paretovariate(skew)) - 1, len(pool) - 1)]


def make_documents(count: int, rng: random.Random) -> None:
    from nexus.search.models import (
        SearchDocument,
        SearchDocumentTerm,
        SearchVocabulary,
        filter_token,
    )

    topics = TOPIC_WORDS[:]
    rng.shuffle(topics)
    now = timezone.now()
    batch_size = 2000
    vocabulary: set[str] = set()
    started = time.perf_counter()
    for start in range(0, count, batch_size):
        documents, term_specs = [], []
        for number in range(start, min(count, start + batch_size)):
            techs = rng.sample(TECHNOLOGIES, rng.randint(1, 3))
            title_words = [word(rng, topics) for _ in range(rng.randint(3, 7))]
            title = " ".join([techs[0][1], *title_words]).capitalize()
            body = " ".join(
                word(rng, topics) if rng.random() < 0.3 else rng.choice(FILLER)
                for _ in range(rng.randint(40, 160))
            )
            tags = rng.sample(topics[:40], rng.randint(1, 3))
            roll = rng.random()
            visibility = "public" if roll < 0.9 else ("moderators" if roll < 0.95 else "private")
            vocabulary.update(w for w in title.lower().split() if len(w) > 2)
            documents.append(
                SearchDocument(
                    doc_type=TYPES[number % len(TYPES)],
                    object_id=number + 1,
                    title=title,
                    keywords=" ".join([name for _slug, name in techs] + tags),
                    body=body,
                    url=f"/bench/{number + 1}/",
                    status=rng.choice(["published", "open", "solved", "draft"]),
                    visibility=visibility,
                    owner_id=rng.randint(1, 500),
                    author_name=f"Author {rng.randint(1, 500)}",
                    freshness=now - timedelta(days=rng.uniform(0, 1100)),
                    votes=int(rng.paretovariate(1.5)) - 1,
                    filter_terms=" ".join(
                        [filter_token("technology", slug) for slug, _name in techs]
                        + [filter_token("tag", tag) for tag in tags]
                    ),
                )
            )
            term_specs.append((techs, tags))
        created = SearchDocument.objects.bulk_create(documents)
        terms = [
            SearchDocumentTerm(document=doc, kind="technology", value=slug, label=name)
            for doc, (techs, _tags) in zip(created, term_specs, strict=True)
            for slug, name in techs
        ] + [
            SearchDocumentTerm(document=doc, kind="tag", value=tag, label=tag)
            for doc, (_techs, tags) in zip(created, term_specs, strict=True)
            for tag in tags
        ]
        SearchDocumentTerm.objects.bulk_create(terms, batch_size=5000)
        print(f"\r  {min(count, start + batch_size):>7} documents", end="", flush=True)
    vocabulary.update(name.lower() for _slug, name in TECHNOLOGIES)
    SearchVocabulary.objects.bulk_create(
        [SearchVocabulary(word=w) for w in sorted(vocabulary)], ignore_conflicts=True
    )
    from nexus.search.models import SearchSuggestion

    SearchSuggestion.objects.bulk_create(
        [SearchSuggestion(kind="technology", value=s, label=n) for s, n in TECHNOLOGIES],
        ignore_conflicts=True,
    )
    print(f" in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES('optimize')")
            cursor.execute("ANALYZE")


def make_queries(count: int, rng: random.Random) -> list[str]:
    """Single words, pairs, phrases, OR, exclusions, technology names and typos."""
    topics = TOPIC_WORDS
    queries = []
    for number in range(count):
        kind = number % 8
        a, b = rng.choice(topics), rng.choice(topics)
        tech = rng.choice(TECHNOLOGIES)[1].lower()
        if kind == 0:
            queries.append(a)
        elif kind == 1:
            queries.append(f"{a} {b}")
        elif kind == 2:
            queries.append(f'"{a} {b}"')
        elif kind == 3:
            queries.append(f"{a} or {b}")
        elif kind == 4:
            queries.append(f"{tech} {a} -{b}")
        elif kind == 5:
            queries.append(f"{tech} {a}")
        elif kind == 6:  # a typo: one letter doubled
            position = rng.randrange(1, len(tech))
            queries.append(tech[:position] + tech[position] + tech[position:])
        else:
            queries.append(f"{a} {b} {rng.choice(topics)}")
    return queries


def naive_matches(query: str):
    """What one writes first: every word must appear in the title or the body."""
    from nexus.search.models import SearchDocument
    from nexus.search.query import parse

    parsed = parse(query)
    documents = SearchDocument.objects.filter(visibility="public")
    for group in parsed.groups:
        condition = Q()
        for clause in group:
            text = " ".join(clause.words)
            condition |= Q(title__icontains=text) | Q(body__icontains=text)
        documents = documents.filter(condition)
    for clause in parsed.excluded:
        text = " ".join(clause.words)
        documents = documents.exclude(Q(title__icontains=text) | Q(body__icontains=text))
    return documents


def naive(query: str) -> list[int]:
    """The naive page: twenty matches, newest first."""
    newest = naive_matches(query).order_by("-freshness", "-id")
    return list(newest.values_list("id", flat=True)[:20])


def naive_with_total(query: str) -> tuple[int, list[int]]:
    """The naive page and its total, as a results page shows them."""
    return naive_matches(query).count(), naive(query)


def timed(function: Callable[[str], object], queries: list[str]) -> list[float]:
    times = []
    for query in queries:
        started = time.perf_counter()
        function(query)
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def profile(queries: list[str], function: Callable[[str], object]) -> None:
    from django.test.utils import CaptureQueriesContext

    for query in queries:
        with CaptureQueriesContext(connection) as captured:
            function(query)
        print(f"\n{query!r}: " + ", ".join(f"{q['time']}s" for q in captured.captured_queries))
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
        print("  slowest:", slowest["sql"][:300])


def register_bench_providers() -> None:
    """Providers for the generated types; their last visibility check costs one indexed query."""
    from nexus.search import registry
    from nexus.search.models import SearchDocument

    for name in list(registry.providers()):
        registry.unregister(name)
    for doc_type in TYPES:

        class BenchProvider(registry.SearchProvider):
            model = SearchDocument
            label = BENCH_TYPES[doc_type]
            kind = doc_type

            def visible_ids(self, user, ids):
                # Like a real provider's check: one primary-key lookup of the page's objects.
                return set(
                    SearchDocument.objects.filter(pk__in=list(ids)).values_list("pk", flat=True)
                )

        registry.register(doc_type)(BenchProvider)


def open_database(reuse: bool) -> str:
    """A fresh benchmark database (never the test suite's), or the one a --keep run left."""
    database = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        path = ROOT / "bench" / "results" / "search_bench.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        database["TEST"]["NAME"] = str(path)
    else:
        database["TEST"]["NAME"] = f"bench_{database['NAME']}"
    if reuse:
        database["NAME"] = database["TEST"]["NAME"]
        connection.close()
        return database["NAME"]
    if connection.vendor == "sqlite":
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
    print(f"Creating a fresh {connection.vendor} database ...")
    return connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def report(rows: list[tuple[str, list[float]]]) -> None:
    print(f"{'':40} {'p50 ms':>9} {'p99 ms':>9} {'mean ms':>9}")
    for label, times in rows:
        print(
            f"{label:40} {percentile(times, 0.5):9.2f} {percentile(times, 0.99):9.2f} "
            f"{statistics.mean(times):9.2f}"
        )
    timings = dict(rows)
    ours = timings["service: search()"]
    print("\nAgainst the targets (p99 < 50 ms, >= 50x faster than icontains, <= 2x the raw query):")
    print(f"  service p99: {percentile(ours, 0.99):.1f} ms")
    for baseline in ("naive icontains: page", "naive icontains: page + total"):
        naive_times = timings[baseline]
        print(
            f"  {baseline}: {percentile(naive_times, 0.5) / percentile(ours, 0.5):.1f}x slower "
            f"at p50, {percentile(naive_times, 0.99) / percentile(ours, 0.99):.1f}x at p99"
        )
    for baseline in ("raw FTS: newest window ranked", "raw FTS: every match ranked"):
        raw_times = timings[baseline]
        print(
            f"  service / {baseline}: {percentile(ours, 0.5) / percentile(raw_times, 0.5):.2f} "
            f"at p50, {percentile(ours, 0.99) / percentile(raw_times, 0.99):.2f} at p99"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--profile", action="store_true", help="Print each query's SQL timings.")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument(
        "--reuse", action="store_true", help="Reuse the database a --keep run left (no rebuild)."
    )
    parser.add_argument("--window", type=int, help="Candidates per query (default: the service's).")
    args = parser.parse_args()

    name = open_database(args.reuse)
    try:
        from nexus.search import selectors
        from nexus.search.backends import get_backend
        from nexus.search.query import parse

        register_bench_providers()
        if args.window:
            selectors.WINDOW = args.window
        if not args.reuse:
            print(f"Indexing {args.documents:,} documents into {name} ...")
            make_documents(args.documents, random.Random(args.seed))
        queries = make_queries(args.queries, random.Random(args.seed + 1))
        backend = get_backend()
        anonymous = AnonymousUser()
        technologies = [slug for slug, _name in TECHNOLOGIES]

        def ours(query: str) -> object:
            return selectors.search(user=anonymous, q=query)

        def ours_no_facets(query: str) -> object:
            return selectors.search(user=anonymous, q=query, with_facets=False)

        def ours_filtered(query: str) -> object:
            technology = technologies[len(query) % len(technologies)]
            filters = selectors.SearchFilters(technologies=[technology])
            return selectors.search(user=anonymous, q=query, filters=filters)

        def raw(query: str) -> object:
            return backend.raw_match_ids(parse(query), 20)

        def raw_window(query: str) -> object:
            return backend.raw_window_ids(parse(query), selectors.WINDOW, 20)

        def suggest(query: str) -> object:
            return selectors.autocomplete(user=anonymous, q=query.split()[0][:5])

        if args.profile:
            profile(queries[:8], ours)
        # Naive scans read the whole table and evict what the others keep cached: they go last,
        # and every function is warmed on a few queries of its own before it is timed.
        functions = [
            ("service: search()", ours),
            ("service without facets", ours_no_facets),
            ("service with a technology filter", ours_filtered),
            ("autocomplete (5-char prefix)", suggest),
            ("raw FTS: newest window ranked", raw_window),
            ("raw FTS: every match ranked", raw),
            ("naive icontains: page", naive),
            ("naive icontains: page + total", naive_with_total),
        ]
        rows = []
        for label, function in functions:
            timed(function, queries[:WARM_UP_QUERIES])
            rows.append((label, timed(function, queries)))
        found = [selectors.search(user=anonymous, q=q, with_facets=False) for q in queries]
        totals = [results.total for results in found]
        print(
            f"\n{connection.vendor}: {args.documents:,} documents, {len(queries)} queries, "
            f"window {selectors.WINDOW} (median {statistics.median(totals):.0f} candidates, "
            f"{sum(not r.total_exact for r in found)} over the window, {totals.count(0)} with none)"
        )
        report(rows)
    finally:
        if not (args.keep or args.reuse):
            connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
