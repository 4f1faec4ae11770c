"""REST: GET /api/v1/search/ (results with facets), /search/autocomplete/, /search/similar/."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.core.openapi import EMPTY_TEXT
from nexus.search import selectors
from nexus.search.forms import (
    MAX_FILTER_VALUES,
    MAX_RAW_QUERY_CHARS,
    SLUG,
    SearchForm,
    SimilarForm,
    encode_cursor,
)


class SearchHitSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    snippet = serializers.CharField(help_text="HTML-escaped text; matches wrapped in <mark>.")
    score = serializers.FloatField()
    status = serializers.CharField()
    author_name = serializers.CharField()
    date = serializers.DateTimeField()


class FacetCountSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):
    """Counts per value of each facet; empty ({}) when there is no query to count."""

    type = FacetCountSerializer(many=True, required=False)
    technology = FacetCountSerializer(many=True, required=False)
    tag = FacetCountSerializer(many=True, required=False)
    status = FacetCountSerializer(many=True, required=False)
    author = FacetCountSerializer(many=True, required=False)
    year = FacetCountSerializer(many=True, required=False)


class SearchResponseSerializer(serializers.Serializer):
    results = SearchHitSerializer(many=True)
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    total = serializers.IntegerField()
    total_exact = serializers.BooleanField(
        help_text=(
            "False when a query matched more documents than one search considers: results, "
            "total and facets then cover its newest matches and its newest title matches."
        )
    )
    query = serializers.CharField(help_text="The query as understood (after sanitising).")
    corrected_query = serializers.CharField(
        allow_null=True, help_text="Set when nothing matched and typos were corrected."
    )
    facets = FacetsSerializer()


class SuggestionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["title", "technology"])
    label = serializers.CharField()  # type: ignore[assignment]
    url = serializers.CharField()
    type = serializers.CharField()


class SuggestionListSerializer(serializers.Serializer):
    results = SuggestionSerializer(many=True)


class SimilarListSerializer(serializers.Serializer):
    results = SearchHitSerializer(many=True)


def valid_form(form_class: type[Any], params: QueryDict) -> Any:
    """The bound form, or a 400 with field errors (unknown parameters included)."""
    form = form_class(params)
    unknown = sorted(set(params) - set(form.fields))
    if unknown:
        raise ValidationError({name: ["This parameter is not accepted here."] for name in unknown})
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form


def _page_url(request: Request, offset: int) -> str:
    params = request.query_params.copy()
    params.pop("cursor", None)
    if offset:
        params["cursor"] = encode_cursor(offset)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def _list(values: str, item: dict[str, Any] | None = None) -> OpenApiParameter:
    return OpenApiParameter(
        values,
        {
            "type": "array",
            "items": item or {"type": "string", "pattern": SLUG},
            "maxItems": MAX_FILTER_VALUES,
        },
        style="form",
        explode=True,
        description=f"At most {MAX_FILTER_VALUES}, each repeated: ?{values}=a&{values}=b",
    )


def _or_empty(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, EMPTY_TEXT]}


class SearchApi(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": MAX_RAW_QUERY_CHARS},
                description='Web-search syntax: "phrase", or, -word.',
            ),
            _list("type", {"type": "string", "enum": list(selectors.document_types())}),
            _list("technology"),
            _list("tag"),
            _list("status"),
            _list("author", {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}),
            # Like the filters of other lists, a parameter sent empty is one not sent.
            OpenApiParameter("date_from", _or_empty({"type": "string", "format": "date"})),
            OpenApiParameter("date_to", _or_empty({"type": "string", "format": "date"})),
            OpenApiParameter("sort", {"type": "string", "enum": [*selectors.SORTS, ""]}),
            OpenApiParameter("cursor", {"type": "string", "maxLength": 64}),
            OpenApiParameter(
                "page_size",
                _or_empty({"type": "integer", "minimum": 1, "maximum": selectors.MAX_LIMIT}),
            ),
        ],
        responses=SearchResponseSerializer,
        description="Search everything you may see. Pages through an opaque offset cursor.",
    )
    def get(self, request: Request) -> Response:
        form = valid_form(SearchForm, request.query_params)
        found = selectors.search(user=request.user, **form.search_kwargs())
        data = {
            "results": SearchHitSerializer(found.hits, many=True).data,
            "next": _page_url(request, found.offset + found.limit) if found.has_next else None,
            "previous": (
                _page_url(request, max(0, found.offset - found.limit))
                if found.has_previous
                else None
            ),
            "total": found.total,
            "total_exact": found.total_exact,
            "query": found.query,
            "corrected_query": found.corrected_query,
            "facets": {
                kind: FacetCountSerializer(counts, many=True).data
                for kind, counts in found.facets.items()
            },
        }
        return Response(data)


class AutocompleteApi(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR)], responses=SuggestionListSerializer
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        unknown = sorted(set(params) - {"q"})
        if unknown:
            raise ValidationError(
                {name: ["This parameter is not accepted here."] for name in unknown}
            )
        suggestions = selectors.autocomplete(user=request.user, q=params.get("q", ""))
        return Response({"results": SuggestionSerializer(suggestions, many=True).data})


class SimilarApi(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(
        parameters=[
            OpenApiParameter("type", OpenApiTypes.STR),
            OpenApiParameter("id", OpenApiTypes.INT),
            OpenApiParameter("text", OpenApiTypes.STR, description="Instead of type and id."),
            OpenApiParameter("limit", OpenApiTypes.INT),
        ],
        responses=SimilarListSerializer,
    )
    def get(self, request: Request) -> Response:
        form = valid_form(SimilarForm, request.query_params)
        data = form.cleaned_data
        if data.get("text"):
            hits = selectors.similar_to_text(
                text=data["text"], limit=data["limit"], user=request.user
            )
        else:
            hits = selectors.similar_documents(
                type=data["type"], id=data["id"], limit=data["limit"], user=request.user
            )
        return Response({"results": SearchHitSerializer(hits, many=True).data})
