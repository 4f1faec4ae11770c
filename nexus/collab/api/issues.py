"""REST: integration issues, their workflow, comments, history and watchers."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.accounts import selectors as account_selectors
from nexus.collab import policies, selectors
from nexus.collab.api.serializers import (
    IssueCommentSerializer,
    IssueEventSerializer,
    IssueSerializer,
)
from nexus.collab.models import Api, IntegrationIssue, IssueKind, IssueStatus, SpecChange
from nexus.collab.services import issues as issue_services
from nexus.core import conditional
from nexus.core.auth import authenticated_user
from nexus.core.serializers import StrictSerializer


class IssueInput(StrictSerializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=512 * 1024, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=IssueKind.choices, default=IssueKind.BUG)
    api = serializers.SlugRelatedField(slug_field="slug", queryset=Api.objects.all())
    operation = serializers.CharField(
        max_length=520, required=False, allow_blank=True, help_text="e.g. 'GET /pets/{id}'"
    )
    change = serializers.PrimaryKeyRelatedField(
        queryset=SpecChange.objects.select_related("version"), required=False, allow_null=True
    )
    labels = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=10
    )


class IssueUpdateInput(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(max_length=512 * 1024, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=IssueKind.choices, required=False)
    status = serializers.ChoiceField(choices=IssueStatus.choices, required=False)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=account_selectors.user_list(), required=False, allow_null=True
    )
    labels = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=10
    )


class IssueCommentInput(StrictSerializer):
    body = serializers.CharField(max_length=512 * 1024)


class IssueFilter(django_filters.FilterSet):
    api = django_filters.CharFilter(field_name="api__slug")
    operation = django_filters.CharFilter(field_name="operation_key")
    label = django_filters.CharFilter(field_name="labels__name")
    status = django_filters.ChoiceFilter(choices=IssueStatus.choices)
    kind = django_filters.ChoiceFilter(choices=IssueKind.choices)

    class Meta:
        model = IntegrationIssue
        fields = ("api", "operation", "status", "kind", "assignee", "label")


@extend_schema(tags=["integration-issues"])
class IntegrationIssueViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Contract mismatches, bugs, docs gaps, feature requests and performance problems."""

    serializer_class = IssueSerializer
    queryset = selectors.issue_list()
    filterset_class = IssueFilter
    ordering_fields = ("created_at", "updated_at")

    @extend_schema(request=IssueInput, responses={201: IssueSerializer})
    def create(self, request: Request) -> Response:
        data = IssueInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["operation_key"] = values.pop("operation", "")
        issue = issue_services.issue_create(reporter=authenticated_user(request), **values)
        return Response(
            IssueSerializer(self.get_queryset().get(pk=issue.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        parameters=[conditional.IF_NONE_MATCH],
        responses={200: IssueSerializer, **conditional.NOT_MODIFIED_RESPONSE},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        issue = self.get_object()
        return conditional.read_response(request, issue, lambda: IssueSerializer(issue).data)

    @extend_schema(
        request=IssueUpdateInput,
        parameters=[conditional.IF_MATCH],
        responses={200: IssueSerializer, **conditional.PRECONDITION_RESPONSES},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        issue = self.get_object()
        # Refused before the If-Match check: a 428 or 412 is for those who may edit. The service
        # still decides field by field (only triagers move the status, assign and label).
        if not policies.can_edit_issue(request.user, issue):
            self.permission_denied(request, message="Only the reporter and triagers edit it.")
        data = IssueUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        issue_services.issue_update(
            issue=issue,
            actor=authenticated_user(request),
            expected_etag=conditional.if_match(request),
            **data.validated_data,
        )
        updated = self.get_queryset().get(pk=issue.pk)
        return conditional.with_etag(Response(IssueSerializer(updated).data), updated)

    @extend_schema(methods=["GET"], responses=IssueCommentSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=IssueCommentInput, responses={201: IssueCommentSerializer}
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def comments(self, request: Request, pk: str) -> Response:
        issue = self.get_object()
        if request.method == "GET":
            rows = issue.comments.select_related("author").order_by("created_at", "id")
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(IssueCommentSerializer(page, many=True).data)
        data = IssueCommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = issue_services.issue_comment_create(
            issue=issue, author=authenticated_user(request), **data.validated_data
        )
        return Response(IssueCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=IssueEventSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None)
    def history(self, request: Request, pk: str) -> Response:
        """Every change to the issue, oldest first."""
        issue = self.get_object()
        rows = issue.history.select_related("actor").order_by("created_at", "id")
        return Response({"results": IssueEventSerializer(rows, many=True).data})

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post", "delete"], filterset_class=None)
    def watch(self, request: Request, pk: str) -> Response:
        """Start (POST) or stop (DELETE) watching the issue."""
        issue = self.get_object()
        issue_services.issue_watch_set(
            issue=issue, user=authenticated_user(request), watching=request.method == "POST"
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
