"""GraphQL `search` / `similarItems`, the search page, the nav box and its autocomplete."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from nexus.search import selectors, services
from nexus.search.registry import IndexEntry
from tests.knowledge.factories import make_article

QUERY = """
query Find($q: String!, $types: [String!], $cursor: String) {
  search(q: $q, types: $types, pageSize: 1, cursor: $cursor) {
    total totalExact query correctedQuery nextCursor
    results { type id title url snippet score }
    facets { name counts { value label count } }
    errors { field message }
  }
}
"""


@pytest.fixture
def corpus(owner):
    make_article(
        owner,
        title="Retrying Celery tasks",
        body="Celery retry with backoff.",
        technologies=["celery"],
    )
    make_article(owner, title="Celery beat schedules", body="Periodic celery work.")
    make_article(owner, title="Secret draft on celery", body="Hidden.", status="draft")
    services.index_rebuild()


def graphql(client, query, **variables):
    response = client.post(
        "/graphql/", {"query": query, "variables": variables}, content_type="application/json"
    )
    assert response.status_code == 200
    return response.json()


def test_graphql_search_pages_with_a_cursor_and_hides_drafts(corpus):
    client = Client()
    first = graphql(client, QUERY, q="celery")["data"]["search"]
    second = graphql(client, QUERY, q="celery", cursor=first["nextCursor"])["data"]["search"]

    assert (first["total"], first["totalExact"]) == (2, True)
    titles = {first["results"][0]["title"], second["results"][0]["title"]}
    assert titles == {"Retrying Celery tasks", "Celery beat schedules"}
    assert second["nextCursor"] is None
    assert {facet["name"] for facet in first["facets"]} >= {"type", "technology", "tag"}


def test_graphql_search_returns_field_errors_for_bad_input(db):
    result = graphql(Client(), QUERY, q="celery", types=["spaceship"])["data"]["search"]

    assert result["results"] == []
    assert result["errors"][0]["field"] == "type"


def test_graphql_similar_items(corpus):
    query = '{ similarItems(text: "celery retry backoff", limit: 1) { title type } }'

    assert graphql(Client(), query)["data"]["similarItems"] == [
        {"title": "Retrying Celery tasks", "type": "article"}
    ]


def test_every_page_has_the_search_box_in_the_nav(client, db):
    html = client.get("/search/").content.decode()

    assert 'role="search"' in html
    assert 'data-testid="nav-search"' in html
    assert "/search/autocomplete/" in html


def test_the_search_page_shows_highlighted_results_and_facets(client, corpus):
    response = client.get("/search/", {"q": "celery retry"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Retrying Celery tasks" in html
    assert "Secret draft" not in html
    assert "<mark>Celery</mark>" in html or "<mark>celery</mark>" in html.lower()
    assert "?q=celery+retry&amp;technology=celery" in html  # a facet link


def test_a_query_broader_than_the_window_says_its_count_is_a_lower_bound(
    client, corpus, monkeypatch
):
    monkeypatch.setattr(selectors, "WINDOW", 1)

    html = client.get("/search/", {"q": "celery"}).content.decode()
    found = graphql(Client(), QUERY, q="celery")["data"]["search"]

    assert f"More than {found['total']} results; the newest are shown" in html
    assert found["totalExact"] is False


def test_the_search_page_answers_htmx_with_the_results_partial(client, corpus):
    response = client.get("/search/", {"q": "celery"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert 'data-testid="search-hit"' in html


def test_the_search_page_has_empty_states_and_field_errors(client, corpus):
    assert "Nothing matches" in client.get("/search/", {"q": "zebra"}).content.decode()
    assert "no words to search for" in client.get("/search/", {"q": "the"}).content.decode()
    html = client.get("/search/", {"q": "celery", "type": "spaceship"}).content.decode()
    assert 'data-field="type"' in html


def test_snippets_escape_the_indexed_text(owner):
    # Indexed text is plain text (providers strip HTML); if markup slips in, it stays text.
    article = make_article(owner, title="Escaping")
    services.document_upsert(
        doc_type="article",
        object_id=article.pk,
        entry=IndexEntry(
            title="Escaping",
            url="/x/",
            freshness=timezone.now(),
            body="Never trust <script>alert(1)</script> markup",
        ),
    )

    hits = selectors.search(user=AnonymousUser(), q="markup").hits

    assert "<script>" not in hits[0].snippet
    # SQLite keeps the text (escaped); PostgreSQL's ts_headline drops tags itself.
    assert "<" not in hits[0].snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<mark>markup</mark>" in hits[0].snippet


def test_autocomplete_partial_lists_suggestions(client, corpus):
    html = client.get("/search/autocomplete/", {"q": "cele"}).content.decode()

    assert 'data-testid="suggestions"' in html
    assert "Retrying Celery tasks" in html
    assert "Secret draft" not in html
    assert client.get("/search/autocomplete/", {"q": "c"}).content.decode().strip() == ""
