"""Search fixtures, and the relevance figures printed at the end of the run."""

import pytest

from nexus.search import services
from tests.knowledge.factories import make_article
from tests.search.relevance import Measured

_MEASURED: list[Measured] = []


@pytest.fixture
def relevance_report(record_property):
    """Record a relevance measurement: a junit property and a line in the terminal summary."""

    def record(measured: Measured) -> None:
        _MEASURED.append(measured)
        record_property(f"{measured.name}_mrr", round(measured.mrr, 4))
        record_property(f"{measured.name}_ndcg10", round(measured.ndcg10, 4))

    return record


def pytest_terminal_summary(terminalreporter):
    if not _MEASURED:
        return
    terminalreporter.section("search relevance")
    for measured in _MEASURED:
        terminalreporter.write_line(
            f"{measured.name}: {measured.queries} queries, MRR {measured.mrr:.3f}, "
            f"nDCG@10 {measured.ndcg10:.3f}"
            + (f"; no relevant hit in the top 10 for: {measured.misses}" if measured.misses else "")
        )


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Create an article through the knowledge service with its events delivered (indexed)."""

    def make(author, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return make_article(author, **fields)

    return make


@pytest.fixture
def indexed(db):
    """Rebuild the index from the database (e.g. after writes that sent no event)."""
    return services.index_rebuild
