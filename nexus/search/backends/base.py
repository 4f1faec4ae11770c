"""The SQL both engines share; each engine supplies its match, score and snippet pieces.

One statement answers a search page: the matching rows are computed once (a materialised CTE),
then the page of hits and every facet count are read from it and returned as tagged rows.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from nexus.search.query import ParsedQuery

MARK_START = "\x02"
MARK_END = "\x03"
FACET_LIMIT = 10
FACET_KINDS = ("technology", "tag")


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


class SearchBackend:
    vendor = ""

    # --- pieces each engine supplies -------------------------------------------------------
    def match(self, query: ParsedQuery) -> tuple[str, str, list[Any]]:
        """(FROM clause defining `d`, WHERE condition, params) for documents matching `query`."""
        raise NotImplementedError

    def text_score(self) -> str:
        """Relevance of a match, higher is better (uses the FROM of `match`)."""
        raise NotImplementedError

    def age_days(self) -> str:
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
    def score(self) -> str:
        # Title matches outrank body matches through the weights; votes and freshness nudge.
        votes = "(CASE WHEN d.votes > 0 THEN d.votes ELSE 0 END)"
        age = f"(CASE WHEN {self.age_days()} > 0 THEN {self.age_days()} ELSE 0 END)"
        return (
            f"({self.text_score()}) * (1.0 + 0.2 * {votes} / ({votes} + 10.0))"
            f" * (0.75 + 0.25 / (1.0 + {age} / 365.0))"
        )

    def search_page(
        self,
        *,
        query: ParsedQuery,
        where: Where,
        order: str,
        limit: int,
        offset: int,
        with_facets: bool,
    ) -> RawPage:
        """A page of hits ordered by `order` ("relevance" or "date"), the total and facets."""
        from_sql, match_sql, match_params = self.match(query)
        ordering = "score DESC, id DESC" if order == "relevance" else "freshness DESC, id DESC"
        parts = [
            "SELECT 'hit' AS k, id, '' AS v, '' AS label, score AS n FROM "
            f"(SELECT id, score FROM m ORDER BY {ordering} LIMIT %s OFFSET %s) AS page"
        ]
        params: list[Any] = [limit, offset]
        parts.append("SELECT 'total', 0, '', '', COUNT(*) * 1.0 FROM m")
        if with_facets:
            parts += [
                "SELECT 'type', 0, doc_type, '', COUNT(*) * 1.0 FROM m GROUP BY doc_type",
                "SELECT 'status', 0, status, '', COUNT(*) * 1.0 FROM m GROUP BY status",
                "SELECT 'year', 0, y, '', COUNT(*) * 1.0 FROM "
                f"(SELECT {self.year_of('freshness')} AS y FROM m) AS years GROUP BY y",
                "SELECT * FROM (SELECT 'author', 0, CAST(owner_id AS TEXT), MAX(author_name), "
                "COUNT(*) * 1.0 AS n FROM m WHERE owner_id IS NOT NULL GROUP BY owner_id "
                f"ORDER BY n DESC LIMIT {FACET_LIMIT}) AS authors",
            ]
            for kind in FACET_KINDS:
                parts.append(
                    f"SELECT * FROM (SELECT '{kind}', 0, t.value, MAX(t.label), "
                    "COUNT(*) * 1.0 AS n "
                    "FROM m JOIN search_searchdocumentterm t ON t.document_id = m.id "
                    f"WHERE t.kind = '{kind}' GROUP BY t.value ORDER BY n DESC, t.value "
                    f"LIMIT {FACET_LIMIT}) AS {kind}_facet"
                )
        sql = (
            f"WITH m AS MATERIALIZED (SELECT d.id, d.doc_type, d.status, d.owner_id, "
            f"d.author_name, d.freshness, {self.score()} AS score FROM {from_sql} "
            f"WHERE {match_sql}{where.clause()}) " + " UNION ALL ".join(parts)
        )
        hits: list[RawHit] = []
        total = 0
        facets: dict[str, list[tuple[str, str, int]]] = {}
        with connection.cursor() as cursor:
            cursor.execute(sql, [*match_params, *where.params, *params])
            for kind, doc_id, value, label, number in cursor.fetchall():
                if kind == "hit":
                    hits.append(RawHit(id=doc_id, score=float(number)))
                elif kind == "total":
                    total = int(number)
                else:
                    facets.setdefault(kind, []).append((value or "", label or "", int(number)))
        if order == "relevance":
            hits.sort(key=lambda hit: (-hit.score, -hit.id))
        return RawPage(hits=hits, total=total, facets=facets)
