"""Did-you-mean from the index's own vocabulary, and technology aliases in search (issue #17)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nexus.core.edits import edit_distance
from nexus.knowledge.models import Technology, TechnologyAlias
from nexus.search import selectors, spelling
from tests.knowledge.factories import make_article


@pytest.fixture
def corpus(owner, indexed):
    make_article(owner, title="Django signals explained", technologies=["django"], body="Hooks.")
    make_article(owner, title="Notes on what not to cache", technologies=["redis"], body="TTLs.")
    make_article(owner, title="Indexes that pay off", technologies=["postgresql"], body="GIN.")
    make_article(owner, title="Rolling deploys", technologies=["kubernetes"], body="Probes.")
    make_article(owner, title="Workflow matrices", technologies=["github-actions"], body="YAML.")
    indexed()


def titles(q):
    return [hit.title for hit in selectors.search(user=AnonymousUser(), q=q).hits]


def test_djnago_suggests_django_and_finds_django_content(corpus):
    found = selectors.search(user=AnonymousUser(), q="djnago")

    assert found.corrected_query == "django"
    assert [hit.title for hit in found.hits] == ["Django signals explained"]


def test_only_the_misspelt_word_of_several_is_corrected(corpus):
    found = selectors.search(user=AnonymousUser(), q="djnago signals")

    assert found.corrected_query == "django signals"
    assert [hit.title for hit in found.hits] == ["Django signals explained"]


def test_no_correction_is_offered_when_nothing_is_better(corpus):
    # "nothing" looks like "not" (a title word), but no correction finds anything.
    found = selectors.search(user=AnonymousUser(), q="zzzqqq nothing")

    assert found.corrected_query is None
    assert (found.hits, found.total) == ([], 0)


def test_the_page_shows_a_clean_full_width_no_results_message(corpus):
    page = Client().get("/search/", {"q": "zzzqqq nothing"}).content.decode()

    assert 'data-testid="no-results"' in page
    assert "search-layout-single" in page
    assert "corrected-query" not in page
    assert "search-facets" not in page


def test_the_page_links_to_the_correction(corpus):
    page = Client().get("/search/", {"q": "djnago"}).content.decode()

    assert 'data-testid="did-you-mean"' in page
    assert 'href="?q=django"' in page
    assert "Django signals explained" in page


@pytest.mark.parametrize(
    ("q", "title"),
    [
        ("postgres", "Indexes that pay off"),
        ("psql", "Indexes that pay off"),
        ("k8s", "Rolling deploys"),
        ("gh actions", "Workflow matrices"),
        ("rabbit", None),
    ],
)
def test_technology_aliases_find_the_technology_content(corpus, q, title):
    found = selectors.search(user=AnonymousUser(), q=q)

    assert [hit.title for hit in found.hits] == ([title] if title else [])
    assert found.corrected_query is None
    assert found.query == q


def test_an_alias_added_in_the_admin_takes_effect(corpus, admin_user):
    visitor = Client()
    assert "Notes on what not to cache" not in visitor.get("/search/?q=valkey").content.decode()
    admin = Client()
    admin.force_login(admin_user)
    redis = Technology.objects.get(slug="redis")

    response = admin.post(
        "/admin/knowledge/technologyalias/add/", {"technology": redis.pk, "alias": "  VALKEY "}
    )

    assert response.status_code == 302
    assert TechnologyAlias.objects.get(technology=redis).alias == "valkey"
    assert titles("valkey") == ["Notes on what not to cache"]
    # the visitor's cached page is not served stale
    assert "Notes on what not to cache" in visitor.get("/search/?q=valkey").content.decode()


@pytest.mark.parametrize("alias", [" -- ", " K8S ", "İ" * 64])
def test_the_admin_refuses_an_empty_taken_or_too_long_alias(admin_user, db, alias):
    admin = Client()
    admin.force_login(admin_user)
    redis = Technology.objects.get(slug="redis")

    response = admin.post(
        "/admin/knowledge/technologyalias/add/", {"technology": redis.pk, "alias": alias}
    )

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not TechnologyAlias.objects.filter(technology=redis).exists()


def test_rest_and_graphql_carry_the_correction(corpus):
    client = Client()
    rest = client.get("/api/v1/search/", {"q": "djnago"}).json()
    graphql = client.post(
        "/graphql/",
        {"query": '{ search(q: "djnago") { correctedQuery results { title } } }'},
        content_type="application/json",
    ).json()["data"]["search"]

    assert rest["corrected_query"] == graphql["correctedQuery"] == "django"
    assert [hit["title"] for hit in rest["results"]] == ["Django signals explained"]


def test_the_search_page_query_count_does_not_grow_with_the_results(owner, indexed, admin_user):
    for number in range(25):
        make_article(owner, title=f"Queue article {number}", technologies=["rabbitmq"])
    make_article(owner, title="Kafka partitions", technologies=["rabbitmq"])
    indexed()
    client = Client()
    client.force_login(admin_user)  # signed in: no page cache between the two reads
    counts = {}
    for q in ("queue", "kafka"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/search/", {"q": q}).status_code == 200
        counts[q] = len(queries)

    print(f"\nsearch page queries on {connection.vendor}: {counts}")
    assert counts["queue"] == counts["kafka"]


@pytest.mark.parametrize(
    ("word", "other", "distance"),
    [("djnago", "django", 1), ("postgress", "postgresql", 2), ("nothing", "not", 3)],
)
def test_edit_distance_counts_a_swap_as_one_edit(word, other, distance):
    assert edit_distance(word, other, 2) == min(distance, 3)


def test_short_words_tolerate_one_edit_and_longer_ones_two():
    assert spelling.best_correction("rsut", ["rest", "rust"]) == "rust"
    assert spelling.best_correction("rsut", ["rest"]) is None  # two edits in four letters
    assert spelling.best_correction("pyhton", ["python"]) == "python"
    assert spelling.best_correction("cach", ["coach", "cache"]) == "cache"
    assert spelling.best_correction("abcd", ["wxyz"]) is None


def test_the_technology_admin_page_lists_its_seeded_aliases(admin_user, db):
    admin = Client()
    admin.force_login(admin_user)
    postgresql = Technology.objects.get(slug="postgresql")

    page = admin.get(f"/admin/knowledge/technology/{postgresql.pk}/change/").content.decode()

    assert {"postgres", "pg", "psql"} <= set(
        TechnologyAlias.objects.filter(technology=postgresql).values_list("alias", flat=True)
    )
    assert 'value="postgres"' in page
