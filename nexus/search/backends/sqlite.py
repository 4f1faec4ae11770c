"""SQLite: FTS5 (porter stemming) ranked by bm25 with column weights, snippet() for highlights."""

from collections.abc import Sequence
from typing import Any

from django.db import connection

from nexus.search.backends.base import (
    CANDIDATE_COLUMNS,
    MARK_END,
    MARK_START,
    TITLE_WINDOW,
    SearchBackend,
    Where,
    best_snippet,
)
from nexus.search.query import Clause, ParsedQuery

# bm25 weights per column: title, keywords (summary, technologies, tags), body; the filter
# tokens count for nothing.
BM25 = "bm25(search_fts, 10.0, 4.0, 1.0, 0.0)"
SNIPPET_TOKENS = 24
TITLE_BONUS = 1.0
TRIGRAM_CANDIDATES = 50


def _quoted(clause: Clause) -> str:
    # Words are sanitised (no quotes), but doubling quotes keeps this safe on its own.
    return '"' + " ".join(clause.words).replace('"', '""') + '"'


def fts5_expression(query: ParsedQuery) -> str:
    """The parsed query in FTS5 syntax: quoted strings only, so nothing is read as an operator."""
    groups = []
    for group in query.groups:
        alternatives = " OR ".join(_quoted(clause) for clause in group)
        groups.append(f"({alternatives})" if len(group) > 1 else alternatives)
    expression = " AND ".join(groups)
    if query.excluded:
        excluded = " OR ".join(_quoted(clause) for clause in query.excluded)
        expression = f"({expression}) NOT ({excluded})"
    return expression


def title_expression(query: ParsedQuery) -> str:
    """Any of the query's wanted words or phrases in the title column."""
    clauses = " OR ".join(_quoted(clause) for group in query.groups for clause in group)
    return f"title : ({clauses})"


def _trigrams(word: str) -> list[str]:
    return sorted({word[i : i + 3] for i in range(len(word) - 2)})


class SqliteBackend(SearchBackend):
    vendor = "sqlite"

    def candidates(
        self, query: ParsedQuery, where: Where, order: str, window: int
    ) -> tuple[str, list[Any]]:
        # FTS5 reads matches in rowid order without ranking them, and computes bm25 only for
        # the rows a LIMIT lets through. The title candidates are ranked by an expression that
        # adds the title-only phrases, and earn a flat bonus on top: bm25 gives no weight to a
        # word found in more than half the documents, and titles must still outrank bodies.
        # Every title match among the newest matches is also among the newest title matches
        # (a subset is sparser), so each candidate is ranked once, by one expression.
        def newest(text_rank: str) -> str:
            return (
                f"SELECT search_fts.rowid AS id, {CANDIDATE_COLUMNS}, {text_rank} AS text_rank "
                "FROM search_fts "
                "JOIN search_searchdocument d ON d.id = search_fts.rowid "
                f"WHERE search_fts MATCH %s{where.clause()} ORDER BY search_fts.rowid DESC LIMIT %s"
            )

        untitled = f"CASE WHEN search_fts.rowid IN (SELECT id FROM c2) THEN NULL ELSE -{BM25} END"
        sql = (
            f"c2 AS MATERIALIZED ({newest(f'{TITLE_BONUS} - {BM25}')}), "
            f"c1 AS MATERIALIZED ({newest(untitled)}), "
            "c AS MATERIALIZED (SELECT * FROM c2 UNION ALL "
            "SELECT * FROM c1 WHERE text_rank IS NOT NULL)"
        )
        matches = fts5_expression(query)
        if where.terms:
            tokens = " AND ".join(f'"{token}"' for token in where.terms)
            matches = f"({matches}) AND filter_terms : ({tokens})"
        titled = f"({matches}) AND {title_expression(query)}"
        return sql, [
            *(titled, *where.params, window),
            *(matches, *where.params, window),
        ]

    def year_of(self, column: str) -> str:
        return f"strftime('%%Y', {column})"

    def snippets(self, ids: Sequence[int], query: ParsedQuery) -> dict[int, str]:
        if not ids:
            return {}
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            "SELECT rowid, snippet(search_fts, 2, %s, %s, '…', %s), "
            "snippet(search_fts, 1, %s, %s, '…', %s) FROM search_fts "
            f"WHERE search_fts MATCH %s AND rowid IN ({marks})"
        )
        markers: list[Any] = [MARK_START, MARK_END, SNIPPET_TOKENS]
        params: list[Any] = [*markers, *markers, fts5_expression(query), *ids]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {doc_id: best_snippet(body, keywords) for doc_id, body, keywords in cursor}

    def vocabulary_candidates(self, word: str) -> list[str]:
        grams = _trigrams(word)
        if not grams:
            return []
        sql = (
            "SELECT v.word FROM search_vocabulary_trigram JOIN search_searchvocabulary v "
            "ON v.id = search_vocabulary_trigram.rowid WHERE search_vocabulary_trigram MATCH %s "
            "ORDER BY rank LIMIT %s"
        )
        expression = " OR ".join(f'"{gram}"' for gram in grams)
        with connection.cursor() as cursor:
            cursor.execute(sql, [expression, TRIGRAM_CANDIDATES])
            return [row[0] for row in cursor.fetchall()]

    def title_matches(self, text: str, where: Where, limit: int) -> list[tuple[int, str]]:
        if len(text) < 3:  # the trigram index needs three characters; prefixes scan titles
            pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            source, newest = "search_searchdocument d", "d.id"
            condition, params = "d.title LIKE %s ESCAPE '\\'", [f"{pattern}%"]
        else:
            source = (
                "search_title_trigram JOIN search_searchdocument d "
                "ON d.id = search_title_trigram.rowid"
            )
            newest = "search_title_trigram.rowid"
            condition = "search_title_trigram MATCH %s"
            params = ['"' + text.replace('"', '""') + '"']
        sql = (
            "SELECT id, title FROM (SELECT d.id, d.title, d.votes FROM "
            f"{source} WHERE {condition}{where.clause()} ORDER BY {newest} DESC LIMIT %s) "
            "ORDER BY (lower(title) LIKE %s) DESC, votes DESC, length(title), id LIMIT %s"
        )
        prefix = text.lower().replace("%", "").replace("_", "") + "%"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *where.params, TITLE_WINDOW, prefix, limit])
            return list(cursor.fetchall())

    def has_match(self, query: ParsedQuery) -> bool:
        sql = "SELECT EXISTS (SELECT 1 FROM search_fts WHERE search_fts MATCH %s)"
        with connection.cursor() as cursor:
            cursor.execute(sql, [fts5_expression(query)])
            return bool(cursor.fetchone()[0])

    def raw_match_ids(self, query: ParsedQuery, limit: int) -> list[int]:
        sql = f"SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY {BM25} LIMIT %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [fts5_expression(query), limit])
            return [row[0] for row in cursor.fetchall()]

    def raw_window_ids(self, query: ParsedQuery, window: int, limit: int) -> list[int]:
        sql = (
            f"SELECT id FROM (SELECT rowid AS id, -{BM25} AS text_rank FROM search_fts "
            "WHERE search_fts MATCH %s ORDER BY rowid DESC LIMIT %s) "
            "ORDER BY text_rank DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [fts5_expression(query), window, limit])
            return [row[0] for row in cursor.fetchall()]
