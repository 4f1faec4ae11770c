"""Relevance: judged queries over a fixture corpus, MRR and nDCG@10 against a floor.

The floors were set from the first honest measurement (see docs/search.md), a little below it,
so a change that makes ranking worse fails here.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from nexus.search import selectors, services
from nexus.search.models import SearchDocument
from tests.factories import UserFactory
from tests.knowledge.factories import make_article
from tests.search import synthetic
from tests.search.corpus import shared_sections
from tests.search.relevance import SHARED_QUERIES, measure
from tests.shared import SKIP_REASON

SYNTHETIC_FLOOR = {"mrr": 0.9, "ndcg10": 0.85}  # first measured: 1.000 and 0.958
SHARED_FLOOR = {"mrr": 0.9, "ndcg10": 0.65}  # first: SQLite 0.990 / 0.784, PostgreSQL 0.964 / 0.701


def _ranked_titles(query: str) -> list[str]:
    found = selectors.search(user=AnonymousUser(), q=query, limit=10, with_facets=False)
    return [hit.title for hit in found.hits]


@pytest.mark.django_db
def test_synthetic_corpus_relevance_stays_above_the_floor(relevance_report):
    author = UserFactory()
    for title, body, technologies, tags in synthetic.ARTICLES:
        make_article(author, title=title, body=body, technologies=technologies, tags=tags)
    services.index_rebuild()
    titles = [article[0] for article in synthetic.ARTICLES]

    measured = measure("synthetic", synthetic.QUERIES, titles, _ranked_titles)
    relevance_report(measured)

    assert measured.mrr >= SYNTHETIC_FLOOR["mrr"], measured
    assert measured.ndcg10 >= SYNTHETIC_FLOOR["ndcg10"], measured


@pytest.mark.django_db
def test_shared_corpus_relevance_stays_above_the_floor(relevance_report):
    sections = shared_sections()
    if not sections:
        pytest.skip(SKIP_REASON)
    authors = [UserFactory() for _ in range(5)]
    for number, section in enumerate(sections):
        make_article(
            authors[number % len(authors)],
            title=section.title,
            body=section.body[:60_000],
            summary="",
            technologies=[],
            tags=[],
        )
    services.index_rebuild()
    assert SearchDocument.objects.count() == len(sections)

    assert len(SHARED_QUERIES) >= 40
    measured = measure("shared-corpus", SHARED_QUERIES, [s.title for s in sections], _ranked_titles)
    relevance_report(measured)

    assert measured.mrr >= SHARED_FLOOR["mrr"], measured
    assert measured.ndcg10 >= SHARED_FLOOR["ndcg10"], measured
