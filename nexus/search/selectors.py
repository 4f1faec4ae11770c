"""Reading the index: search with facets, autocomplete and similar items, for every front door."""

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from nexus.accounts.models import User, Viewer
from nexus.core import metrics
from nexus.search import registry, spelling
from nexus.search.backends import get_backend
from nexus.search.backends.base import FACET_LIMIT, MARK_END, MARK_START, Where
from nexus.search.models import (
    SearchDocument,
    SearchSuggestion,
    SearchVocabulary,
    TermKind,
    filter_token,
)
from nexus.search.query import ParsedQuery, keyword_query, parse, words_of
from nexus.search.registry import Visibility

DEFAULT_LIMIT = 20
MAX_LIMIT = 50
MAX_OFFSET = 1000
SORTS = ("relevance", "date")
MIN_CORRECTABLE_LENGTH = 4
# Candidates per query (see backends/base.py): fewer matches than this are ranked, counted and
# faceted exactly; a broader query is answered from its newest WINDOW matches and its newest
# title matches, and says its total is a lower bound.
WINDOW = 500


@dataclass(frozen=True)
class FacetCount:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class SearchHit:
    type: str
    id: int
    title: str
    url: str
    snippet: SafeString
    score: float
    status: str
    author_name: str
    date: datetime


@dataclass
class SearchResults:
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    query: str = ""
    corrected_query: str | None = None
    total_exact: bool = True
    offset: int = 0
    limit: int = DEFAULT_LIMIT

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < min(self.total, MAX_OFFSET + self.limit)

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


@dataclass(frozen=True)
class SearchFilters:
    types: Sequence[str] = ()
    technologies: Sequence[str] = ()
    tags: Sequence[str] = ()
    authors: Sequence[int] = ()
    statuses: Sequence[str] = ()
    date_from: date | None = None
    date_to: date | None = None


def document_types() -> dict[str, str]:
    """The registered document types and their labels."""
    return {name: provider.label for name, provider in sorted(registry.providers().items())}


def visibility_where(user: Viewer, where: Where | None = None) -> Where:
    """Only documents the user may see: public ones, their own, and moderators' share."""
    where = where or Where()
    if not isinstance(user, User):
        where.add("d.visibility = %s", Visibility.PUBLIC)
    elif user.is_moderator:
        where.add(
            "d.visibility IN (%s, %s) OR d.owner_id = %s",
            Visibility.PUBLIC,
            Visibility.MODERATORS,
            user.pk,
        )
    else:
        where.add("d.visibility = %s OR d.owner_id = %s", Visibility.PUBLIC, user.pk)
    return where


def _in(column: str, values: Sequence[Any], where: Where) -> None:
    where.add(f"{column} IN ({', '.join(['%s'] * len(values))})", *values)


def _filters_where(filters: SearchFilters, where: Where) -> Where:
    _in("d.doc_type", list(filters.types) or list(registry.providers()) or [""], where)
    for kind, values in ((TermKind.TECHNOLOGY, filters.technologies), (TermKind.TAG, filters.tags)):
        # every given technology (or tag) must be on the document
        where.terms.extend(filter_token(kind, value) for value in values)
    if filters.authors:
        _in("d.owner_id", list(filters.authors), where)
    if filters.statuses:
        _in("d.status", list(filters.statuses), where)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        where.add("d.freshness >= %s", datetime.combine(filters.date_from, time.min, tz))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tz)
        where.add("d.freshness < %s", end)
    return where


def render_snippet(text: str) -> SafeString:
    """Escape a backend snippet and turn its match markers into <mark> elements."""
    html = escape(text.replace(MARK_END + MARK_START, " ").strip())
    return mark_safe(html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))  # noqa: S308


def _visible_to_user(user: Viewer, documents: Iterable[SearchDocument]) -> set[int]:
    """Document ids whose objects the user may still see (the index may lag a moment)."""
    by_type: dict[str, dict[int, int]] = defaultdict(dict)
    for document in documents:
        by_type[document.doc_type][document.object_id] = document.pk
    visible: set[int] = set()
    for doc_type, ids in by_type.items():
        provider = registry.provider(doc_type)
        if provider is None:
            continue
        visible |= {
            ids[object_id] for object_id in provider.visible_ids(user, ids) if object_id in ids
        }
    return visible


def _facets(raw: dict[str, list[tuple[str, str, int]]]) -> dict[str, list[FacetCount]]:
    labels = document_types()
    facets: dict[str, list[FacetCount]] = {}
    for kind in ("type", "technology", "tag", "status", "author", "year"):
        rows = raw.get(kind, [])
        counts = [
            FacetCount(value, labels.get(value, value) if kind == "type" else label or value, n)
            for value, label, n in rows
        ]
        if kind == "year":
            facets[kind] = sorted(counts, key=lambda c: c.value, reverse=True)
        else:
            facets[kind] = sorted(counts, key=lambda c: (-c.count, c.value))[:FACET_LIMIT]
    return facets


def _run(
    *,
    user: Viewer,
    query: ParsedQuery,
    where: Where,
    sort: str,
    offset: int,
    limit: int,
    with_facets: bool,
    window: int,
) -> SearchResults:
    backend = get_backend()
    page = backend.search_page(
        query=query,
        where=where,
        order=sort,
        limit=limit,
        offset=offset,
        with_facets=with_facets,
        window=window,
    )
    results = SearchResults(
        total=page.total, total_exact=page.exact, query=query.text(), offset=offset, limit=limit
    )
    if with_facets:
        results.facets = _facets(page.facets)
    if not page.hits:
        return results
    scores = {hit.id: hit.score for hit in page.hits}
    documents = list(
        SearchDocument.objects.filter(pk__in=scores).only(
            "doc_type", "object_id", "title", "url", "status", "author_name", "freshness"
        )
    )
    visible = _visible_to_user(user, documents)
    documents = [document for document in documents if document.pk in visible]
    snippets = backend.snippets([document.pk for document in documents], query)
    if sort == "relevance":
        documents.sort(key=lambda d: (-scores[d.pk], -d.pk))
    else:
        documents.sort(key=lambda d: (d.freshness, d.pk), reverse=True)
    results.hits = [
        SearchHit(
            type=document.doc_type,
            id=document.object_id,
            title=document.title,
            url=document.url,
            snippet=render_snippet(snippets.get(document.pk, "")),
            score=round(scores[document.pk], 6),
            status=document.status,
            author_name=document.author_name,
            date=document.freshness,
        )
        for document in documents
    ]
    return results


def corrections_for(query: ParsedQuery, *, keep: Collection[str] = ()) -> dict[str, str]:
    """Likely intended words for query words the index does not know (typo tolerance); words
    in `keep` (e.g. known aliases) are left alone."""
    words = [
        clause.words[0]
        for group in query.groups
        for clause in group
        if not clause.phrase
        and len(clause.words[0]) >= MIN_CORRECTABLE_LENGTH
        and clause.words[0] not in keep
    ]
    if not words:
        return {}
    known = set(SearchVocabulary.objects.filter(word__in=words).values_list("word", flat=True))
    backend = get_backend()
    corrections = {}
    for word in dict.fromkeys(words):
        # A word found anywhere in the index is not a typo, even if no title has it.
        if word in known or backend.has_match(parse(word)):
            continue
        candidates = [*backend.vocabulary_candidates(word), *spelling.prefix_candidates(word)]
        correction = spelling.best_correction(word, candidates)
        if correction:
            corrections[word] = correction
    return corrections


def with_synonyms(query: ParsedQuery) -> tuple[ParsedQuery, set[str]]:
    """The query matching other names of its words too (aliases), and the words that had some."""
    synonyms = registry.synonyms(query.synonym_phrases())
    return query.with_synonyms(synonyms), {word for phrase in synonyms for word in phrase.split()}


@metrics.search_seconds.time()
def search(
    *,
    user: Viewer,
    q: str,
    filters: SearchFilters | None = None,
    sort: str = "relevance",
    offset: int = 0,
    limit: int = DEFAULT_LIMIT,
    with_facets: bool = True,
) -> SearchResults:
    """Search everything the user may see, aliases included; with no match, retry with typos
    corrected, and keep the correction only if it finds something."""
    query = parse(q)
    offset = max(0, min(offset, MAX_OFFSET))
    limit = max(1, min(limit, MAX_LIMIT))
    sort = sort if sort in SORTS else "relevance"
    if query.is_empty:
        return SearchResults(query="", offset=offset, limit=limit)

    chosen = filters or SearchFilters()

    def run(wanted: ParsedQuery) -> tuple[SearchResults, set[str]]:
        expanded, aliased = with_synonyms(wanted)
        found = _run(
            user=user,
            query=expanded,
            where=_filters_where(chosen, visibility_where(user)),
            sort=sort,
            offset=offset,
            limit=limit,
            with_facets=with_facets,
            window=WINDOW,
        )
        found.query = wanted.text()
        return found, aliased

    results, aliased = run(query)
    if results.total == 0:
        corrections = corrections_for(query, keep=aliased)
        if corrections:
            corrected = query.replace_words(corrections)
            retried, _ = run(corrected)
            # A correction is offered only when it finds more than what was typed.
            if retried.total > results.total:
                retried.corrected_query = corrected.text()
                results = retried
    return results


@dataclass(frozen=True)
class Suggestion:
    kind: str
    label: str
    url: str
    type: str = ""


AUTOCOMPLETE_MAX_CHARS = 64


def autocomplete(*, user: Viewer, q: str, limit: int = 8) -> list[Suggestion]:
    """Titles and technologies containing the words the user has typed so far.

    Quotes and other punctuation around words are dropped: no title is found by them, and an
    index of character trigrams cannot use them to narrow anything down.
    """
    text = " ".join(words_of(q[: AUTOCOMPLETE_MAX_CHARS * 4]))[:AUTOCOMPLETE_MAX_CHARS]
    if len(text) < 2:
        return []
    where = _filters_where(SearchFilters(), visibility_where(user))
    matches = get_backend().title_matches(text, where, limit)
    documents = SearchDocument.objects.in_bulk([doc_id for doc_id, _title in matches])
    suggestions = [
        Suggestion(
            kind="title", label=title, url=documents[doc_id].url, type=documents[doc_id].doc_type
        )
        for doc_id, title in matches
        if doc_id in documents
    ]
    technologies = SearchSuggestion.objects.filter(
        kind=TermKind.TECHNOLOGY, label__icontains=text
    ).order_by("label")[:5]
    suggestions += [
        Suggestion(kind="technology", label=tech.label, url=f"/search/?technology={tech.value}")
        for tech in technologies
    ]
    return suggestions


def _similar(
    *,
    user: Viewer | None,
    query: ParsedQuery,
    types: Sequence[str],
    limit: int,
    exclude: int | None,
) -> list[SearchHit]:
    if query.is_empty:
        return []
    user = user if user is not None else AnonymousUser()
    where = _filters_where(SearchFilters(types=types), visibility_where(user))
    if exclude is not None:
        where.add("d.id <> %s", exclude)
    return _run(
        user=user,
        query=query,
        where=where,
        sort="relevance",
        offset=0,
        limit=limit,
        with_facets=False,
        window=WINDOW,
    ).hits


def similar_documents(
    *, type: str, id: int, limit: int = 5, user: Viewer | None = None, types: Sequence[str] = ()
) -> list[SearchHit]:
    """Documents like the given one (by its title, technologies and tags), best first."""
    document = SearchDocument.objects.filter(doc_type=type, object_id=id).first()
    if document is None:
        return []
    text = f"{document.title} {document.title} {document.keywords}"
    return _similar(
        user=user, query=keyword_query(text), types=types, limit=limit, exclude=document.pk
    )


def similar_to_text(
    *, text: str, types: Sequence[str] = (), limit: int = 5, user: Viewer | None = None
) -> list[SearchHit]:
    """Documents about what a text is about (e.g. a challenge being written), best first."""
    return _similar(user=user, query=keyword_query(text), types=types, limit=limit, exclude=None)
