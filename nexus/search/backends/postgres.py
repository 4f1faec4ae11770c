"""PostgreSQL: websearch_to_tsquery over the generated weighted tsvector, ranked by ts_rank_cd."""

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from nexus.search.backends.base import (
    CANDIDATE_COLUMNS,
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
TRIGRAM_CANDIDATES = 50
ZERO_INTERVAL = "interval '0 seconds'"
# How many of the newest documents a search reads before it turns to the GIN index.
RECENT_SPAN = 10_000
# Title candidates: this fraction of the window.
TITLE_SHARE = 5


def websearch_text(query: ParsedQuery) -> str:
    """The parsed query in websearch_to_tsquery's syntax (words are already sanitised)."""
    return query.text()


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

    def candidates(
        self, query: ParsedQuery, where: Where, order: str, window: int
    ) -> tuple[str, list[Any]]:
        # Which plan finds the newest matches fastest depends on how many there are, and the
        # planner only estimates that: words that go together ("github actions") are estimated
        # as independent, a phrase as its words ANDed, and a wrong guess either reads the whole
        # table backwards or fetches every match. So the work is bounded by construction: the
        # newest matches are first looked for among the newest RECENT_SPAN documents only (any
        # plan is cheap there), and only when those hold fewer than a window of them does the
        # search look further, through the GIN index (`+ 0` keeps the primary key, and so a
        # read backwards through the whole table, out of that plan), the matches being known
        # sparse by then. Nothing is ranked before the candidates are known (ts_rank_cd costs
        # some 10 µs a row). Title candidates are the newest documents with a query word in the
        # title vector, then those matching: a safety net for a well-titled older document, so
        # a fifth of the window (unlike SQLite, every candidate here is ranked the same way).
        tsquery = f"websearch_to_tsquery('{CONFIG}', %s)"
        text = websearch_text(query)
        wanted = websearch_text(query.any_wanted())
        if where.terms:  # tokens are letters and digits only: safe as tsquery text
            required = " & ".join(where.terms)
            where = Where(where.sql[:], where.params[:])
            where.add("d.filter_vector @@ %s::tsquery", required)

        def newest(condition: str, ordering: str, limit: str = "%s") -> str:
            return (
                f"SELECT d.id, d.search_vector, {CANDIDATE_COLUMNS} FROM search_searchdocument d "
                f"WHERE {condition}{where.clause()} ORDER BY {ordering} LIMIT {limit}"
            )

        floor = self._recent_floor()

        def newest_by_id(name: str, condition: str, words: str, size: int) -> tuple[str, list[Any]]:
            # The older scan's LIMIT is 0, so it never starts, unless the recent one came short.
            if_needed = f"CASE WHEN (SELECT count(*) FROM {name}_recent) < %s THEN %s ELSE 0 END"
            sql = (
                f"{name}_recent AS MATERIALIZED "
                f"({newest(f'd.id > %s AND {condition}', 'd.id DESC')}), "
                f"{name}_older AS MATERIALIZED "
                f"({newest(f'd.id + 0 <= %s AND {condition}', 'd.id + 0 DESC', if_needed)}), "
                f"{name} AS MATERIALIZED (SELECT * FROM (SELECT * FROM "
                f"{name}_recent UNION ALL SELECT * FROM {name}_older) AS found "
                "ORDER BY id DESC LIMIT %s)"
            )
            params = [
                *(floor, words, *where.params, size),
                *(floor, words, *where.params, size, size),
                size,
            ]
            return sql, params

        matches = f"d.search_vector @@ {tsquery}"
        if order == "relevance":
            matches_sql, matches_params = newest_by_id("c1", matches, text, window)
        else:  # most recently changed first: the freshness index, or the GIN index for phrases
            ordering = "d.freshness DESC, d.id DESC"
            if query.has_phrase:
                ordering = f"d.freshness + {ZERO_INTERVAL} DESC, d.id DESC"
            matches_sql = f"c1 AS MATERIALIZED ({newest(matches, ordering)})"
            matches_params = [text, *where.params, window]
        titled_sql, titled_params = newest_by_id(
            "titled", f"d.title_vector @@ {tsquery}", wanted, max(1, window // TITLE_SHARE)
        )
        sql = (
            f"{matches_sql}, {titled_sql}, "
            f"c AS MATERIALIZED (SELECT d.id, {CANDIDATE_COLUMNS}, ts_rank_cd(d.search_vector, q, "
            f"{RANK_NORMALISATION}) AS text_rank FROM (SELECT * FROM c1 UNION ALL "
            f"SELECT * FROM titled WHERE search_vector @@ {tsquery} "
            f"AND id NOT IN (SELECT id FROM c1)) AS d, {tsquery} AS q)"
        )
        return sql, [*matches_params, *titled_params, text, text]

    def _recent_floor(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM search_searchdocument")
            return int(cursor.fetchone()[0]) - RECENT_SPAN

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
            "AND similarity(word, %s) >= %s ORDER BY similarity(word, %s) DESC, word LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [word, word, MIN_SIMILARITY, word, TRIGRAM_CANDIDATES])
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
