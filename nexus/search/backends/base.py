"""The SQL both engines share; each engine supplies its match, score and snippet pieces.

One statement answers a search page: the matching rows are computed once (a materialised CTE),
then the page of hits and every facet count are read from it and returned as tagged rows.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from nexus.search.query import ParsedQuery

MARK_START = "\x02"
MARK_END = "\x03"
FACET_LIMIT = 10
# Documents younger than 90 days score fully, younger than a year a little less, older less.
FRESHNESS_STEPS = (90, 365)
FRESHNESS_FACTORS = (1.0, 0.9, 0.8)


def best_snippet(body: str, keywords: str) -> str:
    """The body's fragment, unless only the keywords (summary, technologies, tags) matched."""
    if MARK_START not in (body or "") and MARK_START in (keywords or ""):
        return keywords
    return body or ""


@dataclass
class Where:
    """Extra conditions on the documents (alias `d`), with their parameters."""

    sql: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, sql: str, *params: Any) -> None:
        self.sql.append(sql)
        self.params.extend(params)

    def clause(self) -> str:
        return "".join(f" AND ({part})" for part in self.sql)


@dataclass
class RawHit:
    id: int
    score: float


@dataclass
class RawPage:
    hits: list[RawHit]
    total: int
    facets: dict[str, list[tuple[str, str, int]]]
    exact: bool = True


class SearchBackend:
    vendor = ""

    # --- pieces each engine supplies -------------------------------------------------------
    def match(self, query: ParsedQuery, window: int | None) -> tuple[str, list[Any], str]:
        """(FROM clause defining `d`, its params, the text relevance of a row: higher is better).

        With a window, only the `window` best text matches are considered (see search_page).
        """
        raise NotImplementedError

    def year_of(self, column: str) -> str:
        raise NotImplementedError

    def snippets(self, ids: Sequence[int], query: ParsedQuery) -> dict[int, str]:
        """Highlighted body fragments, matches between MARK_START and MARK_END."""
        raise NotImplementedError

    def vocabulary_candidates(self, word: str) -> list[str]:
        """Vocabulary words that look like `word` (best first)."""
        raise NotImplementedError

    def title_matches(self, text: str, where: Where, limit: int) -> list[tuple[int, str]]:
        """(document id, title) of titles containing `text`, for autocomplete."""
        raise NotImplementedError

    def raw_match_ids(self, query: ParsedQuery, limit: int) -> list[int]:
        """The bare full-text query, best first, nothing else: the benchmark's limit."""
        raise NotImplementedError

    # --- shared ----------------------------------------------------------------------------
    def score(self, text_score: str) -> tuple[str, list[Any]]:
        """Relevance nudged by votes and freshness; title matches outrank body matches through
        the column weights. Freshness is a step (comparisons on the indexed timestamp are cheap,
        date arithmetic on every matching row is not)."""
        votes = "(CASE WHEN d.votes > 0 THEN d.votes ELSE 0 END)"
        now = timezone.now()
        cutoffs = [
            connection.ops.adapt_datetimefield_value(now - timedelta(days=days))
            for days in FRESHNESS_STEPS
        ]
        freshness = (
            f"(CASE WHEN d.freshness >= %s THEN {FRESHNESS_FACTORS[0]} "
            f"WHEN d.freshness >= %s THEN {FRESHNESS_FACTORS[1]} ELSE {FRESHNESS_FACTORS[2]} END)"
        )
        sql = f"({text_score}) * (1.0 + 0.2 * {votes} / ({votes} + 10.0)) * {freshness}"
        return sql, cutoffs

    def search_page(
        self,
        *,
        query: ParsedQuery,
        where: Where,
        order: str,
        limit: int,
        offset: int,
        with_facets: bool,
        window: int | None = None,
    ) -> RawPage:
        """A page of hits ordered by `order` ("relevance" or "date"), the total and facets.

        A window bounds the work for broad queries: the engine's text ranking picks the best
        `window` matches (as the raw query would), and boosts, visibility, facets and the total
        are computed over those. `RawPage.exact` says whether the window held every match.
        """
        from_sql, match_params, text_score = self.match(query, window)
        score_sql, score_params = self.score(text_score)
        ordering = "score DESC, id DESC" if order == "relevance" else "freshness DESC, id DESC"
        parts = [
            "SELECT 'hit' AS k, id, '' AS v, '' AS label, score AS n FROM "
            f"(SELECT id, score FROM m WHERE shown = 1 ORDER BY {ordering} LIMIT %s OFFSET %s) "
            "AS page"
        ]
        params: list[Any] = [limit, offset]
        parts.append("SELECT 'total', 0, '', '', COUNT(*) * 1.0 FROM m WHERE shown = 1")
        parts.append("SELECT 'window', 0, '', '', COUNT(*) * 1.0 FROM m")
        if with_facets:
            shown = "FROM m WHERE shown = 1"
            parts += [
                f"SELECT 'type', 0, doc_type, '', COUNT(*) * 1.0 {shown} GROUP BY doc_type",
                f"SELECT 'status', 0, status, '', COUNT(*) * 1.0 {shown} GROUP BY status",
                "SELECT 'year', 0, y, '', COUNT(*) * 1.0 FROM "
                f"(SELECT {self.year_of('freshness')} AS y {shown}) AS years GROUP BY y",
                "SELECT * FROM (SELECT 'author', 0, CAST(owner_id AS TEXT), MAX(author_name), "
                f"COUNT(*) * 1.0 AS n {shown} AND owner_id IS NOT NULL GROUP BY owner_id "
                f"ORDER BY n DESC LIMIT {FACET_LIMIT}) AS authors",
            ]
            # Technologies and tags in one pass over the matches' terms (top ones picked later).
            parts.append(
                "SELECT t.kind, 0, t.value, MAX(t.label), COUNT(*) * 1.0 "
                "FROM search_searchdocumentterm t WHERE t.document_id IN "
                "(SELECT id FROM m WHERE shown = 1) GROUP BY t.kind, t.value"
            )
        conditions = " AND ".join(f"({part})" for part in where.sql) or "1 = 1"
        sql = (
            f"WITH m AS MATERIALIZED (SELECT d.id, d.doc_type, d.status, d.owner_id, "
            f"d.author_name, d.freshness, {score_sql} AS score, "
            f"CASE WHEN {conditions} THEN 1 ELSE 0 END AS shown FROM {from_sql}) "
            + " UNION ALL ".join(parts)
        )
        all_params = [*score_params, *where.params, *match_params, *params]
        hits: list[RawHit] = []
        total = 0
        exact = True
        facets: dict[str, list[tuple[str, str, int]]] = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, all_params)
            for kind, doc_id, value, label, number in cursor.fetchall():
                if kind == "hit":
                    hits.append(RawHit(id=doc_id, score=float(number)))
                elif kind == "total":
                    total = int(number)
                elif kind == "window":
                    exact = window is None or int(number) < window
                else:
                    facets.setdefault(kind, []).append((value or "", label or "", int(number)))
        if order == "relevance":
            hits.sort(key=lambda hit: (-hit.score, -hit.id))
        return RawPage(hits=hits, total=total, facets=facets, exact=exact)
