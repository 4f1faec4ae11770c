"""GET /api/v1/search/, /search/autocomplete/ and /search/similar/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.core import pagecache
from nexus.search import services
from tests.knowledge.factories import make_article

URL = "/api/v1/search/"


@pytest.fixture
def corpus(owner, other_user):
    make_article(
        owner,
        title="Retrying Celery tasks",
        body="Celery retry with backoff.",
        technologies=["celery"],
        tags=["tasks"],
    )
    make_article(
        other_user,
        title="Idempotent jobs",
        body="A celery retry may run twice.",
        technologies=["celery", "rabbitmq"],
        tags=["tasks"],
    )
    make_article(owner, title="Draft: celery canvas", body="Chords and groups.", status="draft")
    services.index_rebuild()


def test_results_have_the_documented_shape_and_facets(api_client, corpus):
    response = api_client.get(URL, {"q": "celery retry"})

    assert response.status_code == 200
    body = response.json()
    assert [hit["title"] for hit in body["results"]] == ["Retrying Celery tasks", "Idempotent jobs"]
    hit = body["results"][0]
    assert set(hit) >= {"type", "id", "title", "url", "snippet", "score"}
    assert hit["type"] == "article"
    assert hit["url"].startswith("/articles/")
    assert "<mark>" in hit["snippet"]
    assert body["next"] is None
    assert body["previous"] is None
    assert body["total"] == 2
    assert {c["value"]: c["count"] for c in body["facets"]["technology"]} == {
        "celery": 2,
        "rabbitmq": 1,
    }
    assert body["facets"]["type"] == [{"value": "article", "label": "Articles", "count": 2}]


@pytest.mark.parametrize(
    ("who", "sees_draft"),
    [("anonymous", False), ("other", False), ("owner", True), ("mentor", True), ("admin", True)],
)
def test_drafts_show_only_to_their_author_and_mentors(
    api_client, client_for, corpus, owner, other_user, mentor, admin_user, who, sees_draft
):
    users = {"other": other_user, "owner": owner, "mentor": mentor, "admin": admin_user}
    client = api_client if who == "anonymous" else client_for(users[who])

    titles = [hit["title"] for hit in client.get(URL, {"q": "canvas"}).json()["results"]]

    assert titles == (["Draft: celery canvas"] if sees_draft else [])


@pytest.mark.parametrize(
    "q",
    [
        "",
        "the of and",
        '"celery retry',
        "'; DROP TABLE search_searchdocument; --",
        "NEAR(celery retry) title:x ^ * AND NOT OR",
        "x" * 10_000,
        "celery " * 1400,
    ],
)
def test_hostile_or_empty_queries_get_a_clear_answer(api_client, corpus, q):
    response = api_client.get(URL, {"q": q})

    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_a_query_over_ten_thousand_characters_is_refused_with_a_field_error(api_client, db):
    response = api_client.get(URL, {"q": "y" * 10_001})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "q"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "spaceship"}, "type"),
        ({"technology": "Not A Slug"}, "technology"),
        ({"author": "abc"}, "author"),
        ({"sort": "random"}, "sort"),
        ({"cursor": "!!!"}, "cursor"),
        ({"page_size": "0"}, "page_size"),
        ({"date_from": "2025-02-01", "date_to": "2025-01-01"}, "date_to"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_unknown_filter_values_are_field_errors(api_client, db, params, field):
    response = api_client.get(URL, {"q": "celery", **params})

    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}


def test_filters_narrow_results(api_client, corpus, other_user):
    def titles(**params):
        response = api_client.get(URL, {"q": "celery", **params})
        return [hit["title"] for hit in response.json()["results"]]

    assert titles(technology="rabbitmq") == ["Idempotent jobs"]
    assert titles(tag="tasks", author=str(other_user.pk)) == ["Idempotent jobs"]
    assert titles(technology="a-technology-nobody-uses") == []
    assert titles(date_from="2000-01-01", sort="date") == [
        "Idempotent jobs",
        "Retrying Celery tasks",
    ]
    assert titles(date_to="2000-01-01") == []


def test_a_filter_matches_whole_values_only_and_every_given_one(api_client, owner):
    from nexus.knowledge.models import Technology

    redis = Technology.objects.get(slug="redis")
    Technology.objects.create(slug="redis-streams", name="Redis Streams", category=redis.category)
    make_article(owner, title="Streams in Redis", technologies=["redis"], tags=["streams"])
    make_article(owner, title="Redis streams in depth", technologies=["redis-streams"])
    make_article(owner, title="Streams twice", technologies=["redis", "redis-streams"])
    services.index_rebuild()

    def titles(**params):
        response = api_client.get(URL, {"q": "streams", **params})
        return {hit["title"] for hit in response.json()["results"]}

    assert titles(technology="redis") == {"Streams in Redis", "Streams twice"}
    assert titles(technology="redis-streams") == {"Redis streams in depth", "Streams twice"}
    assert titles(technology=["redis", "redis-streams"]) == {"Streams twice"}
    assert titles(tag="streams") == {"Streams in Redis"}
    assert titles(tag="redis") == set()


def test_cursor_pages_through_relevance_order(api_client, owner):
    for number in range(5):
        make_article(owner, title=f"Redis note {number}", body="redis " * (number + 1))
    services.index_rebuild()

    first = api_client.get(URL, {"q": "redis", "page_size": 2}).json()
    second = api_client.get(first["next"]).json()
    third = api_client.get(second["next"]).json()

    pages = [first, second, third]
    titles = [hit["title"] for page in pages for hit in page["results"]]
    assert len(titles) == len(set(titles)) == 5
    assert third["next"] is None
    assert api_client.get(second["previous"]).json()["results"] == first["results"]


@pytest.mark.parametrize("page_size", [2, 20])
def test_query_count_does_not_grow_with_the_page_size(api_client, owner, page_size):
    for number in range(25):
        make_article(owner, title=f"Queue article {number}", technologies=["rabbitmq"])
    services.index_rebuild()

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(URL, {"q": "queue", "page_size": page_size})

    assert len(response.json()["results"]) == page_size
    # the query's words that are technology aliases, search page + facets, documents of the page,
    # the policy check, snippets; PostgreSQL also reads the newest document id (where its recent
    # span starts)
    assert len(queries) <= (6 if connection.vendor == "postgresql" else 5)


def test_autocomplete_offers_titles_and_technologies(api_client, corpus):
    response = api_client.get("/api/v1/search/autocomplete/", {"q": "cel"})

    assert response.status_code == 200
    results = response.json()["results"]
    assert {
        "kind": "title",
        "label": "Retrying Celery tasks",
        "type": "article",
    }.items() <= results[0].items()
    assert any(s["kind"] == "technology" and s["label"] == "Celery" for s in results)
    assert all("canvas" not in s["label"] for s in results)  # the draft stays hidden


def test_autocomplete_ignores_quotes_and_punctuation_around_words(api_client, corpus):
    typed = api_client.get("/api/v1/search/autocomplete/", {"q": '"retrying cel'}).json()
    bare = api_client.get("/api/v1/search/autocomplete/", {"q": "(("}).json()

    assert typed["results"][0]["label"] == "Retrying Celery tasks"
    assert bare["results"] == []


def test_autocomplete_refuses_unknown_parameters(api_client, db):
    assert api_client.get("/api/v1/search/autocomplete/", {"x": "1"}).status_code == 400


def test_similar_items_for_a_document_and_for_a_text(api_client, corpus):
    from nexus.knowledge.models import Article

    article = Article.objects.get(title="Retrying Celery tasks")
    by_document = api_client.get(
        "/api/v1/search/similar/", {"type": "article", "id": article.pk}
    ).json()["results"]
    by_text = api_client.get(
        "/api/v1/search/similar/", {"text": "my celery tasks should retry"}
    ).json()["results"]

    assert [hit["title"] for hit in by_document] == ["Idempotent jobs"]
    assert by_text[0]["title"] == "Retrying Celery tasks"
    assert api_client.get("/api/v1/search/similar/").status_code == 400


def test_broad_queries_are_answered_from_a_window_and_say_so(api_client, owner, monkeypatch):
    from nexus.search import selectors

    for number in range(5):
        technologies = ["redis"] if number < 2 else ["docker"]
        make_article(owner, title=f"Window article {number}", technologies=technologies)
    services.index_rebuild()
    monkeypatch.setattr(selectors, "WINDOW", 3)

    broad = api_client.get(URL, {"q": "window"}).json()
    narrowed = api_client.get(URL, {"q": "window", "technology": "redis"}).json()

    assert (broad["total"], broad["total_exact"], len(broad["results"])) == (3, False, 3)
    assert [hit["title"] for hit in broad["results"]] == [
        f"Window article {number}" for number in (4, 3, 2)
    ]
    # A filter is applied before the window is taken: under the window, everything is exact.
    assert (narrowed["total"], narrowed["total_exact"]) == (2, True)
    assert {hit["title"] for hit in narrowed["results"]} == {"Window article 0", "Window article 1"}


def test_an_older_title_match_is_not_lost_to_newer_body_mentions(api_client, owner, monkeypatch):
    from nexus.search import selectors

    make_article(owner, title="Sliding windows in Redis", body="Rate limits.")
    for number in range(6):
        make_article(owner, title=f"Note {number}", body="A sliding windows aside.")
    services.index_rebuild()
    monkeypatch.setattr(selectors, "WINDOW", 3)

    body = api_client.get(URL, {"q": "sliding windows"}).json()

    assert body["total_exact"] is False
    assert body["results"][0]["title"] == "Sliding windows in Redis"
    assert len(body["results"]) == 4  # the three newest matches and the title match


def test_matches_older_than_the_recent_span_are_still_found(api_client, owner, monkeypatch):
    from nexus.search import selectors
    from nexus.search.backends import postgres

    for number in range(4):
        make_article(owner, title=f"Vacuum settings {number}", body="Autovacuum thresholds.")
    for number in range(3):
        make_article(owner, title=f"Unrelated {number}", body="Nothing to see.")
    services.index_rebuild()
    monkeypatch.setattr(postgres, "RECENT_SPAN", 2)  # the newest two documents match nothing

    every = api_client.get(URL, {"q": "vacuum"}).json()
    monkeypatch.setattr(selectors, "WINDOW", 3)
    pagecache.bump("search")  # the same question, asked of changed code: no stored answer
    windowed = api_client.get(URL, {"q": "vacuum"}).json()

    assert (every["total"], every["total_exact"]) == (4, True)
    assert (windowed["total"], windowed["total_exact"]) == (3, False)
    assert {hit["title"] for hit in windowed["results"]} == {
        f"Vacuum settings {number}" for number in (1, 2, 3)
    }
