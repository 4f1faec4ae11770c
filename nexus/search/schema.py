"""GraphQL: `search` (results, facets and typed field errors) and `similarItems`."""

from datetime import date, datetime

import strawberry
from django.core.exceptions import ValidationError
from django.http import QueryDict
from strawberry.types import Info

from nexus.core.graphql import FieldError, field_errors_from
from nexus.search import selectors
from nexus.search.forms import SearchForm, SimilarForm, encode_cursor


@strawberry.type(name="SearchHit")
class SearchHitType:
    type: str
    id: int
    title: str
    url: str
    snippet: str = strawberry.field(description="HTML-escaped text; matches wrapped in <mark>.")
    score: float
    status: str
    author_name: str
    date: datetime


@strawberry.type(name="SearchFacetCount")
class FacetCountType:
    value: str
    label: str
    count: int


@strawberry.type(name="SearchFacet")
class FacetType:
    name: str
    counts: list[FacetCountType]


@strawberry.type(name="SearchResults")
class SearchResultsType:
    results: list[SearchHitType] = strawberry.field(default_factory=list)
    total: int = 0
    total_exact: bool = strawberry.field(
        default=True,
        description="False when the query matched more documents than one search considers: "
        "results, total and facets then cover its newest matches and newest title matches.",
    )
    query: str = ""
    corrected_query: str | None = None
    next_cursor: str | None = None
    facets: list[FacetType] = strawberry.field(default_factory=list)
    errors: list[FieldError] = strawberry.field(default_factory=list)


def _hit(hit: selectors.SearchHit) -> SearchHitType:
    return SearchHitType(
        type=hit.type,
        id=hit.id,
        title=hit.title,
        url=hit.url,
        snippet=str(hit.snippet),
        score=hit.score,
        status=hit.status,
        author_name=hit.author_name,
        date=hit.date,
    )


def _params(**values: object) -> QueryDict:
    params = QueryDict(mutable=True)
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, list):
            params.setlist(name, [str(item) for item in value])
        else:
            params[name] = str(value)
    return params


@strawberry.type
class Query:
    @strawberry.field(description="Search everything you may see; web-search syntax in `q`.")
    def search(
        self,
        info: Info,
        q: str,
        types: list[str] | None = None,
        technologies: list[str] | None = None,
        tags: list[str] | None = None,
        statuses: list[str] | None = None,
        authors: list[int] | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        sort: str | None = None,
        cursor: str | None = None,
        page_size: int | None = None,
    ) -> SearchResultsType:
        form = SearchForm(
            _params(
                q=q,
                type=types,
                technology=technologies,
                tag=tags,
                status=statuses,
                author=authors,
                date_from=date_from,
                date_to=date_to,
                sort=sort,
                cursor=cursor,
                page_size=page_size,
            )
        )
        if not form.is_valid():
            return SearchResultsType(
                errors=field_errors_from(ValidationError(form.errors.as_data()))
            )
        found = selectors.search(user=info.context.request.user, **form.search_kwargs())
        return SearchResultsType(
            results=[_hit(hit) for hit in found.hits],
            total=found.total,
            total_exact=found.total_exact,
            query=found.query,
            corrected_query=found.corrected_query,
            next_cursor=encode_cursor(found.offset + found.limit) if found.has_next else None,
            facets=[
                FacetType(
                    name=name,
                    counts=[
                        FacetCountType(value=c.value, label=c.label, count=c.count) for c in counts
                    ],
                )
                for name, counts in found.facets.items()
            ],
        )

    @strawberry.field(description="Items like a document (type and id) or like a text.")
    def similar_items(
        self,
        info: Info,
        type: str | None = None,
        id: int | None = None,
        text: str | None = None,
        limit: int | None = None,
    ) -> list[SearchHitType]:
        form = SimilarForm(_params(type=type, id=id, text=text, limit=limit))
        if not form.is_valid():
            return []
        data = form.cleaned_data
        user = info.context.request.user
        if data.get("text"):
            hits = selectors.similar_to_text(text=data["text"], limit=data["limit"], user=user)
        else:
            hits = selectors.similar_documents(
                type=data["type"], id=data["id"], limit=data["limit"], user=user
            )
        return [_hit(hit) for hit in hits]
