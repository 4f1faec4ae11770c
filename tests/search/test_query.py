import pytest

from nexus.search.backends.sqlite import fts5_expression
from nexus.search.query import MAX_QUERY_CHARS, keyword_query, parse


def test_words_phrases_or_and_exclusions_are_understood():
    query = parse('"celery retry" backoff OR jitter -flower')

    assert query.text() == '"celery retry" backoff or jitter -flower'
    expected = '("celery retry" AND ("backoff" OR "jitter")) NOT ("flower")'
    assert fts5_expression(query) == expected


def test_stop_words_alone_make_an_empty_query():
    assert parse("the of and to").is_empty
    assert not parse('"to be"').is_empty  # inside quotes they are part of a phrase


@pytest.mark.parametrize(
    "hostile",
    [
        '"unbalanced quote',
        "'; DROP TABLE search_searchdocument; --",
        "title:secret NEAR(a b) * ^ {x} ( ) AND NOT",
        '""""',
        "-",
        "\x00\x01\x02",
        "a" * 10_000,
    ],
)
def test_hostile_input_becomes_plain_quoted_text(hostile):
    query = parse(hostile)
    expression = fts5_expression(query) if not query.is_empty else ""

    assert len(query.text()) <= MAX_QUERY_CHARS + 2
    assert "\x00" not in expression
    assert "\x02" not in expression
    for chunk in expression.replace("(", " ").replace(")", " ").split():
        assert chunk in {"AND", "OR", "NOT"} or chunk.startswith('"') or chunk.endswith('"')


def test_joined_words_keep_their_punctuation():
    assert parse("node.js ci/cd c++").positive_words() == ["node.js", "ci/cd", "c++"]


def test_keyword_query_takes_the_most_frequent_meaningful_words():
    query = keyword_query("Celery retries. Celery tasks retry with backoff; celery is a queue.")

    assert query.groups[0][0].words == ("celery",)
    assert "is" not in query.positive_words()
