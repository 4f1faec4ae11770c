"""SQLite: FTS5 (porter stemming) ranked by bm25 with column weights, snippet() for highlights."""

from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any

from django.db import connection

from nexus.search.backends.base import MARK_END, MARK_START, SearchBackend, Where, best_snippet
from nexus.search.query import Clause, ParsedQuery

# bm25 weights per column: title, keywords (summary, technologies, tags), body.
BM25 = "bm25(search_fts, 10.0, 4.0, 1.0)"
SNIPPET_TOKENS = 24
TITLE_BONUS = 1.0
MIN_SIMILARITY = 0.6
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

    def match(self, query: ParsedQuery, window: int | None) -> tuple[str, list[Any], str]:
        # bm25 gives no weight at all to a word found in more than half the documents (its idf
        # is clamped), so a title match also earns a flat bonus: titles still outrank bodies.
        limit = "ORDER BY text_rank DESC LIMIT %s" if window else ""
        source = (
            f"(SELECT rowid AS fid, -{BM25} AS text_rank FROM search_fts "
            f"WHERE search_fts MATCH %s {limit}) AS f "
            "JOIN search_searchdocument d ON d.id = f.fid "
            "LEFT JOIN (SELECT rowid AS title_hit FROM search_fts WHERE search_fts MATCH %s) "
            "AS titles ON titles.title_hit = d.id"
        )
        params: list[Any] = [fts5_expression(query), *([window] if window else [])]
        params.append(title_expression(query))
        bonus = f"CASE WHEN titles.title_hit IS NULL THEN 0.0 ELSE {TITLE_BONUS} END"
        return source, params, f"(f.text_rank + {bonus})"

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
            found = [row[0] for row in cursor.fetchall()]
        scored = [(SequenceMatcher(None, word, other).ratio(), other) for other in found]
        return [other for ratio, other in sorted(scored, reverse=True) if ratio >= MIN_SIMILARITY][
            :5
        ]

    def title_matches(self, text: str, where: Where, limit: int) -> list[tuple[int, str]]:
        if len(text) < 3:  # the trigram index needs three characters; prefixes scan titles
            pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            source, condition, params = (
                "search_searchdocument d",
                "d.title LIKE %s ESCAPE '\\'",
                [f"{pattern}%"],
            )
        else:
            source = (
                "search_title_trigram JOIN search_searchdocument d "
                "ON d.id = search_title_trigram.rowid"
            )
            condition = "search_title_trigram MATCH %s"
            params = ['"' + text.replace('"', '""') + '"']
        sql = (
            f"SELECT d.id, d.title FROM {source} WHERE {condition}{where.clause()} "
            "ORDER BY (lower(d.title) LIKE %s) DESC, d.votes DESC, length(d.title), d.id LIMIT %s"
        )
        prefix = text.lower().replace("%", "").replace("_", "") + "%"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *where.params, prefix, limit])
            return list(cursor.fetchall())

    def raw_match_ids(self, query: ParsedQuery, limit: int) -> list[int]:
        sql = f"SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY {BM25} LIMIT %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [fts5_expression(query), limit])
            return [row[0] for row in cursor.fetchall()]
