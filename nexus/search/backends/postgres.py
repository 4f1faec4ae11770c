"""PostgreSQL: websearch_to_tsquery over the generated weighted tsvector, ranked by ts_rank_cd."""

from collections.abc import Sequence
from typing import Any

from django.db import connection

from nexus.search.backends.base import MARK_END, MARK_START, SearchBackend, Where, best_snippet
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


def websearch_text(query: ParsedQuery) -> str:
    """The parsed query in websearch_to_tsquery's syntax (words are already sanitised)."""
    return query.text()


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

    def match(self, query: ParsedQuery, window: int | None) -> tuple[str, list[Any], str]:
        limit = "ORDER BY text_rank DESC LIMIT %s" if window else ""
        source = (
            f"(SELECT id AS fid, ts_rank_cd(search_vector, q, {RANK_NORMALISATION}) AS text_rank "
            f"FROM search_searchdocument, websearch_to_tsquery('{CONFIG}', %s) AS q "
            f"WHERE search_vector @@ q {limit}) AS f "
            "JOIN search_searchdocument d ON d.id = f.fid"
        )
        return source, [websearch_text(query), *([window] if window else [])], "f.text_rank"

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
            "SELECT d.id, d.title FROM search_searchdocument d WHERE d.title ILIKE %s"
            f"{where.clause()} ORDER BY (d.title ILIKE %s) DESC, d.votes DESC, length(d.title), "
            "d.id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [f"%{pattern}%", *where.params, f"{pattern}%", limit])
            return list(cursor.fetchall())

    def raw_match_ids(self, query: ParsedQuery, limit: int) -> list[int]:
        sql = (
            f"SELECT d.id FROM search_searchdocument d, websearch_to_tsquery('{CONFIG}', %s) q "
            f"WHERE d.search_vector @@ q ORDER BY ts_rank_cd(d.search_vector, q, "
            f"{RANK_NORMALISATION}) DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [websearch_text(query), limit])
            return [row[0] for row in cursor.fetchall()]
