"""PostgreSQL: websearch_to_tsquery over the generated weighted tsvector, ranked by ts_rank_cd."""

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from nexus.search.backends.base import (
    MARK_END,
    MARK_START,
    TITLE_WINDOW,
    SearchBackend,
    Where,
    best_snippet,
)
from nexus.search.query import ParsedQuery

CONFIG = "english"
# Normalisation 1: divide by 1 + log(length), so long bodies do not win by sheer size.
RANK_NORMALISATION = 1
HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=30, MinWords=12, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)
HEADLINE_SOURCE_CHARS = 20_000
MIN_SIMILARITY = 0.3
ZERO_INTERVAL = "interval '0 seconds'"


def websearch_text(query: ParsedQuery) -> str:
    """The parsed query in websearch_to_tsquery's syntax (words are already sanitised)."""
    return query.text()


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

    def candidates(
        self, query: ParsedQuery, where: Where, order: str, window: int
    ) -> tuple[str, list[Any]]:
        # The planner reads the newest matches backwards along an index when they are dense,
        # and through the GIN index then sorts when they are few: either way nothing is ranked
        # until the candidates are known. A phrase is estimated as its words ANDed but is often
        # far rarer, and the backward read would then run through the whole table: phrases
        # always take the GIN index (an ordering no index provides rules the backward read
        # out), whose work is bounded by the documents holding all the phrase's words.
        # Title candidates are the newest documents with a query word in the title vector
        # (one condition, so the planner estimates it well), then those matching the query.
        tsquery = f"websearch_to_tsquery('{CONFIG}', %s)"
        column, zero = ("d.id", "0") if order == "relevance" else ("d.freshness", ZERO_INTERVAL)
        if query.has_phrase:
            column = f"({column} + {zero})"

        def window_of(condition: str) -> str:
            return (
                f"SELECT d.id, d.search_vector FROM search_searchdocument d "
                f"WHERE {condition}{where.clause()} ORDER BY {column} DESC, d.id DESC LIMIT %s"
            )

        sql = (
            f"c1 AS MATERIALIZED ({window_of(f'd.search_vector @@ {tsquery}')}), "
            f"titled AS MATERIALIZED ({window_of(f'd.title_vector @@ {tsquery}')}), "
            "c AS MATERIALIZED (SELECT id, ts_rank_cd(search_vector, q, "
            f"{RANK_NORMALISATION}) AS text_rank FROM (SELECT id, search_vector FROM c1 UNION ALL "
            f"SELECT id, search_vector FROM titled WHERE search_vector @@ {tsquery} "
            f"AND id NOT IN (SELECT id FROM c1)) AS u, {tsquery} AS q)"
        )
        text = websearch_text(query)
        wanted = websearch_text(query.any_wanted())
        return sql, [
            *(text, *where.params, window),
            *(wanted, *where.params, window),
            text,
            text,
        ]

    def year_of(self, column: str) -> str:
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY')"

    def snippets(self, ids: Sequence[int], query: ParsedQuery) -> dict[int, str]:
        if not ids:
            return {}
        sql = (
            f"SELECT d.id, ts_headline('{CONFIG}', left(d.body, {HEADLINE_SOURCE_CHARS}), q, %s), "
            f"ts_headline('{CONFIG}', d.keywords, q, %s) "
            f"FROM search_searchdocument d CROSS JOIN websearch_to_tsquery('{CONFIG}', %s) AS q "
            "WHERE d.id = ANY(%s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql, [HEADLINE_OPTIONS, HEADLINE_OPTIONS, websearch_text(query), list(ids)]
            )
            return {doc_id: best_snippet(body, keywords) for doc_id, body, keywords in cursor}

    def vocabulary_candidates(self, word: str) -> list[str]:
        sql = (
            "SELECT word FROM search_searchvocabulary WHERE word %% %s "
            "AND similarity(word, %s) >= %s ORDER BY similarity(word, %s) DESC, word LIMIT 5"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [word, word, MIN_SIMILARITY, word])
            return [row[0] for row in cursor.fetchall()]

    def title_matches(self, text: str, where: Where, limit: int) -> list[tuple[int, str]]:
        pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        sql = (
            "SELECT id, title FROM (SELECT d.id, d.title, d.votes FROM search_searchdocument d "
            f"WHERE d.title ILIKE %s{where.clause()} ORDER BY d.id DESC LIMIT %s) AS newest "
            "ORDER BY (title ILIKE %s) DESC, votes DESC, length(title), id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [f"%{pattern}%", *where.params, TITLE_WINDOW, f"{pattern}%", limit])
            return list(cursor.fetchall())

    def has_match(self, query: ParsedQuery) -> bool:
        # The words asked about are ones no title has, often in no document at all; the planner
        # would bet on finding one early in a sequential scan and then read the whole table.
        # Only the GIN index can answer "none" at once, so this one statement is told to use it.
        sql = (
            "SELECT EXISTS (SELECT 1 FROM search_searchdocument "
            f"WHERE search_vector @@ websearch_to_tsquery('{CONFIG}', %s))"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('enable_seqscan', 'off', true), "
                "set_config('enable_indexscan', 'off', true)"
            )
            cursor.execute(sql, [websearch_text(query)])
            return bool(cursor.fetchone()[0])

    def raw_match_ids(self, query: ParsedQuery, limit: int) -> list[int]:
        sql = (
            f"SELECT d.id FROM search_searchdocument d, websearch_to_tsquery('{CONFIG}', %s) q "
            f"WHERE d.search_vector @@ q ORDER BY ts_rank_cd(d.search_vector, q, "
            f"{RANK_NORMALISATION}) DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [websearch_text(query), limit])
            return [row[0] for row in cursor.fetchall()]

    def raw_window_ids(self, query: ParsedQuery, window: int, limit: int) -> list[int]:
        sql = (
            f"SELECT d.id FROM (SELECT id, search_vector FROM search_searchdocument "
            f"WHERE search_vector @@ websearch_to_tsquery('{CONFIG}', %s) ORDER BY id DESC "
            f"LIMIT %s) AS d, websearch_to_tsquery('{CONFIG}', %s) AS q "
            f"ORDER BY ts_rank_cd(d.search_vector, q, {RANK_NORMALISATION}) DESC LIMIT %s"
        )
        text = websearch_text(query)
        with connection.cursor() as cursor:
            cursor.execute(sql, [text, window, text, limit])
            return [row[0] for row in cursor.fetchall()]
