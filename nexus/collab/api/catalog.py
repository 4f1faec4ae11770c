"""REST: the API catalog, its versions, changelog, operations and consumers."""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.accounts.models import Team
from nexus.collab import policies, selectors
from nexus.collab.api.serializers import (
    AlertSerializer,
    ApiSerializer,
    ChangeSerializer,
    OperationDetailSerializer,
    OperationSerializer,
    SpecImportSerializer,
    VersionDetailSerializer,
    VersionSerializer,
    problems_response_errors,
)
from nexus.collab.models import ApiConsumer, BreakingChangeAlert
from nexus.collab.openapi.loader import MAX_SPEC_BYTES
from nexus.collab.services import catalog, consumers, imports
from nexus.core import conditional
from nexus.core.auth import authenticated_user
from nexus.core.errors import PROBLEM_CONTENT_TYPE, problem_body
from nexus.core.pagecache import PublicReads
from nexus.core.pagination import CursorPagination
from nexus.core.serializers import StrictSerializer


class ApiInput(StrictSerializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    base_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    repository_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    team = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), required=False, allow_null=True
    )


class SpecInput(StrictSerializer):
    spec = serializers.CharField(
        required=False, trim_whitespace=False, help_text="The spec's YAML or JSON text."
    )
    url = serializers.URLField(required=False, max_length=2000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("spec")) == bool(attrs.get("url")):
            raise serializers.ValidationError({"spec": ["Give either a spec or a url."]})
        return attrs


class ChangelogQuery(serializers.Serializer):
    breaking = serializers.BooleanField(
        required=False, default=False, help_text="Only the breaking changes."
    )


# "from" is a Python keyword, so the comparison's query fields are declared by name.
CompareQuery = type(
    "CompareQuery",
    (ChangelogQuery,),
    {
        "from": serializers.IntegerField(min_value=1, help_text="The older version's number."),
        "to": serializers.IntegerField(min_value=1, help_text="The newer version's number."),
    },
)


class ComparedChangeSerializer(serializers.Serializer):
    kind = serializers.CharField()
    severity = serializers.CharField()
    operation_key = serializers.CharField(source="operation")
    detail = serializers.CharField()


class ComparisonSerializer(serializers.Serializer):
    from_version = serializers.IntegerField(source="older.number")
    to_version = serializers.IntegerField(source="newer.number")
    change_count = serializers.IntegerField()
    breaking_count = serializers.IntegerField()
    changes = ComparedChangeSerializer(many=True)


class ConsumerInput(StrictSerializer):
    team: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), required=False, allow_null=True
    )
    operations = serializers.ListField(
        child=serializers.CharField(max_length=520), required=False, max_length=500
    )


class ConsumerSerializer(serializers.ModelSerializer):
    team: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = ApiConsumer
        fields = ("id", "user", "team", "operations", "created_at")
        read_only_fields = fields


class FixedOrderPagination(CursorPagination):
    """For nested lists: their own order, not the parent view's ordering."""

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        return tuple(self.ordering)


class VersionPagination(FixedOrderPagination):
    ordering = ("-number", "-id")


class OperationPagination(FixedOrderPagination):
    ordering = ("position", "id")


def spec_problem_response(exc: catalog.SpecRejectedError) -> Response:
    body = problem_body(
        400,
        detail="The spec was not accepted.",
        code="invalid_spec",
        errors=problems_response_errors(exc.problems),
    )
    return Response(body, status=400, content_type=PROBLEM_CONTENT_TYPE)


def read_uploaded_spec(request: Request) -> tuple[str | bytes, str]:
    """The spec text from a multipart `spec` file or a JSON/form `spec` field, with its source."""
    upload = request.FILES.get("spec")
    if upload is not None:
        if upload.size is not None and upload.size > MAX_SPEC_BYTES:
            raise DrfValidationError(
                {"spec": [f"The file is {upload.size} bytes; the limit is {MAX_SPEC_BYTES}."]}
            )
        return upload.read(MAX_SPEC_BYTES + 1), "upload"
    return "", "paste"


@extend_schema(tags=["apis"])
class ApiViewSet(
    PublicReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The API catalog: register APIs, add spec versions, read changelogs and operations."""

    public_cache_groups = ("collab", "people")

    serializer_class = ApiSerializer
    queryset = selectors.api_list()
    lookup_field = "slug"
    filterset_fields = ("team__slug",)
    ordering_fields = ("name", "created_at")
    ordering = ("-pinned", "name", "id")

    @extend_schema(request=ApiInput, responses={201: ApiSerializer})
    def create(self, request: Request) -> Response:
        data = ApiInput(data=request.data)
        data.is_valid(raise_exception=True)
        api = catalog.api_create(actor=authenticated_user(request), **data.validated_data)
        return Response(ApiSerializer(api).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[conditional.IF_NONE_MATCH],
        responses={200: ApiSerializer, **conditional.NOT_MODIFIED_RESPONSE},
    )
    def retrieve(self, request: Request, slug: str) -> Response:
        api = self.get_object()
        return conditional.read_response(request, api, lambda: ApiSerializer(api).data)

    @extend_schema(
        request=ApiInput,
        parameters=[conditional.IF_MATCH],
        responses={200: ApiSerializer, **conditional.PRECONDITION_RESPONSES},
    )
    def partial_update(self, request: Request, slug: str) -> Response:
        api = self.get_object()
        # Refused before the If-Match check: a 428 or 412 is for those who may edit.
        if not policies.can_maintain_api(request.user, api):
            self.permission_denied(request, message="Only the API's maintainers edit it.")
        expected_etag = conditional.if_match(request)
        data = ApiInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        api = catalog.api_update(
            api=api,
            actor=authenticated_user(request),
            expected_etag=expected_etag,
            **data.validated_data,
        )
        return conditional.with_etag(Response(ApiSerializer(api).data), api)

    @extend_schema(methods=["GET"], responses=VersionSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request={
            "multipart/form-data": inline_serializer(
                "SpecUpload", {"spec": serializers.FileField()}
            ),
            "application/json": SpecInput,
        },
        responses={
            201: VersionSerializer,
            200: VersionSerializer,
            202: SpecImportSerializer,
        },
        description="Add a spec version: a multipart `spec` file, JSON `{spec}` text, or "
        "`{url}` fetched in the background (202). An identical spec answers 200 with the "
        "existing version.",
    )
    @action(detail=True, methods=["get", "post"])
    def versions(self, request: Request, slug: str) -> Response:
        if request.method == "GET":
            api = self.get_object()
            paginator = VersionPagination()
            page = paginator.paginate_queryset(selectors.version_list(api=api), request, self)
            return paginator.get_paginated_response(VersionSerializer(page, many=True).data)
        api = self.get_object()
        raw, source = read_uploaded_spec(request)
        if not raw:
            data = SpecInput(data=request.data)
            data.is_valid(raise_exception=True)
            if data.validated_data.get("url"):
                spec_import = imports.spec_import_request(
                    api=api, url=data.validated_data["url"], actor=authenticated_user(request)
                )
                spec_import.refresh_from_db()
                return Response(
                    SpecImportSerializer(spec_import).data, status=status.HTTP_202_ACCEPTED
                )
            raw = data.validated_data["spec"]
        try:
            version, created = catalog.spec_version_create(
                api=api, raw=raw, source=source, actor=authenticated_user(request)
            )
        except catalog.SpecRejectedError as exc:
            return spec_problem_response(exc)
        return Response(
            VersionSerializer(version).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(responses=VersionDetailSerializer)
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>\d+|latest)")
    def version(self, request: Request, slug: str, number: str) -> Response:
        version = selectors.version_get(api=self.get_object(), number=number)
        if version is None:
            return Response(problem_body(404), status=404, content_type=PROBLEM_CONTENT_TYPE)
        return Response(VersionDetailSerializer(version).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("version", int, description="Defaults to the latest."),
            ChangelogQuery,
        ],
        responses=inline_serializer(
            "Changelog",
            {
                "version": serializers.IntegerField(allow_null=True),
                "previous_version": serializers.IntegerField(allow_null=True),
                "changes": ChangeSerializer(many=True),
            },
        ),
    )
    @action(detail=True, methods=["get"])
    def changes(self, request: Request, slug: str) -> Response:
        """What changed in a version compared with the one before it."""
        query = ChangelogQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        api = self.get_object()
        version = selectors.version_get(
            api=api, number=request.query_params.get("version", "latest")
        )
        if version is None:
            if "version" in request.query_params:
                raise DrfValidationError({"version": ["This API has no such version."]})
            return Response({"version": None, "previous_version": None, "changes": []})
        changes = selectors.change_list(
            version=version, breaking_only=query.validated_data["breaking"]
        )
        return Response(
            {
                "version": version.number,
                "previous_version": version.number - 1 if version.number > 1 else None,
                "changes": ChangeSerializer(changes, many=True).data,
            }
        )

    @extend_schema(parameters=[CompareQuery], responses=ComparisonSerializer)
    @action(detail=True, methods=["get"])
    def compare(self, request: Request, slug: str) -> Response:
        """What changed between any two versions, the older first (`from` < `to`)."""
        query = CompareQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        comparison = selectors.version_comparison(
            api=self.get_object(),
            older=query.validated_data["from"],
            newer=query.validated_data["to"],
            breaking_only=query.validated_data["breaking"],
        )
        return Response(ComparisonSerializer(comparison).data)

    @extend_schema(responses=OperationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def operations(self, request: Request, slug: str) -> Response:
        """The operations of the latest version."""
        api = self.get_object()
        paginator = OperationPagination()
        queryset = selectors.operation_list(version=api.latest_version).select_related("version")
        page = paginator.paginate_queryset(queryset, request, self)
        return paginator.get_paginated_response(OperationSerializer(page, many=True).data)

    @extend_schema(responses=OperationDetailSerializer)
    @action(detail=True, methods=["get"], url_path=r"operations/(?P<operation_id>\d+)")
    def operation(self, request: Request, slug: str, operation_id: str) -> Response:
        api = self.get_object()
        operation = get_object_or_404(selectors.api_operations(api=api), pk=operation_id)
        return Response(OperationDetailSerializer(operation).data)

    @extend_schema(
        methods=["GET"],
        responses=inline_serializer("ApiConsumers", {"results": ConsumerSerializer(many=True)}),
    )
    @extend_schema(methods=["POST"], request=ConsumerInput, responses={201: ConsumerSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def consumers(self, request: Request, slug: str) -> Response:
        """Who uses this API; POST declares that you (or your team) do."""
        api = self.get_object()
        if request.method == "GET":
            rows = ApiConsumer.objects.filter(api=api).select_related("team").order_by("id")
            return Response({"results": ConsumerSerializer(rows, many=True).data})
        data = ConsumerInput(data=request.data)
        data.is_valid(raise_exception=True)
        consumer = consumers.consumer_declare(
            api=api, actor=authenticated_user(request), **data.validated_data
        )
        return Response(ConsumerSerializer(consumer).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["apis"])
class AlertViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your breaking-change alerts about APIs you consume."""

    serializer_class = AlertSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False) or not self.request.user.is_authenticated:
            return BreakingChangeAlert.objects.none()
        return selectors.alert_list(user=authenticated_user(self.request))

    def list(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            self.permission_denied(request)
        return super().list(request)
