"""The SQL both engines share; each engine supplies its candidates, snippets and typo pieces.

Work is bounded by design. A search never ranks every match: each engine takes its *window* of
candidates straight from its full-text index in index order (newest documents first, which both
engines read without scoring anything), twice: the newest matches, and the newest matches with a
query word in the title, so a well-titled older document is not lost to a flood of recent body
mentions. Only those candidates are scored, boosted and counted. A query with fewer matches than
the window is therefore ranked, counted and faceted exactly; a broader one says so (`exact`).

One statement then answers a search page: the candidates are scored once (a materialised CTE),
and the page of hits and every facet count are read from it and returned as tagged rows.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection

from nexus.core import clock
from nexus.search.query import ParsedQuery

MARK_START = "\x02"
MARK_END = "\x03"
FACET_LIMIT = 10
# Autocomplete ranks (prefix first, then votes, then brevity) the newest titles containing the
# typed text, this many of them: a common fragment must not mean sorting thousands of titles.
TITLE_WINDOW = 200
# Documents younger than 90 days score fully, younger than a year a little less, older less.
FRESHNESS_STEPS = (90, 365)
FRESHNESS_FACTORS = (1.0, 0.9, 0.8)
# What every candidate carries (from the documents, alias `d`), so nothing joins them again.
CANDIDATE_COLUMNS = "d.doc_type, d.status, d.owner_id, d.author_name, d.freshness, d.votes"


def best_snippet(body: str, keywords: str) -> str:
    """The body's fragment, unless only the keywords (summary, technologies, tags) matched."""
    if MARK_START not in (body or "") and MARK_START in (keywords or ""):
        return keywords
    return body or ""


@dataclass
class Where:
    """Extra conditions on the documents (alias `d`), with their parameters, and the filter
    tokens (models.filter_token) every candidate must carry: each engine's `candidates` puts
    those into its full-text match."""

    sql: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)

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
    def candidates(
        self, query: ParsedQuery, where: Where, order: str, window: int
    ) -> tuple[str, list[Any]]:
        """CTEs `c1` (the newest `window` matches passing `where`: its size tells whether the
        window held every match) and `c` (id, CANDIDATE_COLUMNS, text_rank: every candidate
        with its text relevance, higher is better), with their parameters."""
        raise NotImplementedError

    def year_of(self, column: str) -> str:
        raise NotImplementedError

    def snippets(self, ids: Sequence[int], query: ParsedQuery) -> dict[int, str]:
        """Highlighted body fragments, matches between MARK_START and MARK_END."""
        raise NotImplementedError

    def vocabulary_candidates(self, word: str) -> list[str]:
        """Vocabulary words sharing trigrams with `word`, most alike first: a bounded prefilter
        (spelling.py measures the edit distance)."""
        raise NotImplementedError

    def title_matches(self, text: str, where: Where, limit: int) -> list[tuple[int, str]]:
        """(document id, title) of titles containing `text`, for autocomplete."""
        raise NotImplementedError

    def has_match(self, query: ParsedQuery) -> bool:
        """Whether any document at all matches (visible or not: used to tell typos apart)."""
        raise NotImplementedError

    def raw_match_ids(self, query: ParsedQuery, limit: int) -> list[int]:
        """The bare full-text query ranked over every match, nothing else: a benchmark baseline."""
        raise NotImplementedError

    def raw_window_ids(self, query: ParsedQuery, window: int, limit: int) -> list[int]:
        """The bare full-text query ranked over the newest `window` matches: the benchmark's
        limit for the service, which does this plus visibility, boosts, facets and snippets."""
        raise NotImplementedError

    # --- shared ----------------------------------------------------------------------------
    def score(self, text_score: str) -> tuple[str, list[Any]]:
        """Relevance nudged by votes and freshness; title matches outrank body matches through
        the column weights. Freshness is a step (comparisons on the indexed timestamp are cheap,
        date arithmetic on every matching row is not)."""
        votes = "(CASE WHEN d.votes > 0 THEN d.votes ELSE 0 END)"
        now = clock.now()
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
        window: int,
    ) -> RawPage:
        """A page of hits ordered by `order` ("relevance" or "date"), the total and facets,
        all computed over the query's candidates (see the module's docstring)."""
        candidates_sql, candidate_params = self.candidates(query, where, order, window)
        score_sql, score_params = self.score("d.text_rank")
        ordering = "score DESC, id DESC" if order == "relevance" else "freshness DESC, id DESC"
        parts = [
            "SELECT 'hit' AS k, id, '' AS v, '' AS label, score AS n FROM "
            f"(SELECT id, score FROM m ORDER BY {ordering} LIMIT %s OFFSET %s) AS page"
        ]
        params: list[Any] = [limit, offset]
        parts.append("SELECT 'total', 0, '', '', COUNT(*) * 1.0 FROM m")
        parts.append("SELECT 'window', 0, '', '', COUNT(*) * 1.0 FROM c1")
        if with_facets:
            parts += [
                "SELECT 'type', 0, doc_type, '', COUNT(*) * 1.0 FROM m GROUP BY doc_type",
                "SELECT 'status', 0, status, '', COUNT(*) * 1.0 FROM m GROUP BY status",
                "SELECT 'year', 0, y, '', COUNT(*) * 1.0 FROM "
                f"(SELECT {self.year_of('freshness')} AS y FROM m) AS years GROUP BY y",
                "SELECT * FROM (SELECT 'author', 0, CAST(owner_id AS TEXT), MAX(author_name), "
                "COUNT(*) * 1.0 AS n FROM m WHERE owner_id IS NOT NULL GROUP BY owner_id "
                f"ORDER BY n DESC LIMIT {FACET_LIMIT}) AS authors",
                # Technologies and tags in one pass over the candidates' terms (top ones later).
                "SELECT t.kind, 0, t.value, MAX(t.label), COUNT(*) * 1.0 "
                "FROM search_searchdocumentterm t WHERE t.document_id IN (SELECT id FROM m) "
                "GROUP BY t.kind, t.value",
            ]
        sql = (
            f"WITH {candidates_sql}, m AS MATERIALIZED (SELECT d.id, d.doc_type, d.status, "
            f"d.owner_id, d.author_name, d.freshness, {score_sql} AS score FROM c AS d) "
            + " UNION ALL ".join(parts)
        )
        hits: list[RawHit] = []
        total = 0
        exact = True
        facets: dict[str, list[tuple[str, str, int]]] = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, [*candidate_params, *score_params, *params])
            for kind, doc_id, value, label, number in cursor.fetchall():
                if kind == "hit":
                    hits.append(RawHit(id=doc_id, score=float(number)))
                elif kind == "total":
                    total = int(number)
                elif kind == "window":
                    exact = int(number) < window
                else:
                    facets.setdefault(kind, []).append((value or "", label or "", int(number)))
        if order == "relevance":
            hits.sort(key=lambda hit: (-hit.score, -hit.id))
        return RawPage(hits=hits, total=total, facets=facets, exact=exact)
