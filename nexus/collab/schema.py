"""GraphQL types, queries and mutations of the collaboration hub (mirroring the REST resources)."""

from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.types import Info
from strawberry_django.pagination import OffsetPaginated
from strawberry_django.permissions import IsAuthenticated

from nexus.accounts.schema import UserType
from nexus.collab import selectors
from nexus.collab.models import (
    Api,
    EndpointFeedback,
    IntegrationIssue,
    Operation,
    SpecChange,
    SpecVersion,
)
from nexus.collab.services import feedback as feedback_services
from nexus.collab.services import issues as issue_services
from nexus.core.auth import authenticated_user
from nexus.core.graphql import FieldError, MutationErrors, NotFound, integer_id


@strawberry_django.type(SpecChange, name="ApiChange")
class ChangeType:
    id: strawberry.auto
    kind: strawberry.auto
    severity: strawberry.auto
    detail: strawberry.auto

    @strawberry_django.field(only=["operation_key"])
    def operation(self) -> str:
        return cast(SpecChange, self).operation_key


@strawberry_django.type(Operation, name="ApiOperation")
class OperationType:
    id: strawberry.auto
    key: strawberry.auto
    method: strawberry.auto
    path: strawberry.auto
    operation_id: strawberry.auto
    summary: strawberry.auto
    description: strawberry.auto
    deprecated: strawberry.auto


@strawberry_django.type(SpecVersion, name="ApiVersion")
class VersionType:
    number: strawberry.auto
    openapi_version: strawberry.auto
    title: strawberry.auto
    info_version: strawberry.auto
    breaking_count: strawberry.auto
    change_count: strawberry.auto
    created_at: strawberry.auto
    changes: list[ChangeType] = strawberry_django.field()
    operations: list[OperationType] = strawberry_django.field()


@strawberry_django.type(Api, name="Api")
class ApiType:
    slug: strawberry.auto
    name: strawberry.auto
    description: strawberry.auto
    base_url: strawberry.auto
    repository_url: strawberry.auto
    latest_version: VersionType | None = strawberry_django.field()

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Api], info: Info, **kwargs: Any) -> QuerySet[Api]:
        return queryset.filter(is_archived=False).order_by("-pinned", "name", "id")


@strawberry_django.type(EndpointFeedback, name="EndpointFeedback")
class FeedbackType:
    id: strawberry.auto
    operation_key: strawberry.auto
    naming: strawberry.auto
    error_messages: strawberry.auto
    documentation: strawberry.auto
    consistency: strawberry.auto
    performance: strawberry.auto
    comment: strawberry.auto
    reply: strawberry.auto
    author: UserType = strawberry_django.field()


@strawberry_django.filter_type(IntegrationIssue, lookups=True)
class IssueFilter:
    status: strawberry.auto
    kind: strawberry.auto
    operation_key: strawberry.auto


@strawberry_django.type(IntegrationIssue, name="IntegrationIssue")
class IssueType:
    id: strawberry.auto
    title: strawberry.auto
    body: strawberry.auto
    kind: strawberry.auto
    status: strawberry.auto
    operation_key: strawberry.auto
    created_at: strawberry.auto
    api: ApiType = strawberry_django.field()
    reporter: UserType | None = strawberry_django.field()
    assignee: UserType | None = strawberry_django.field()

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[IntegrationIssue], info: Info, **kwargs: Any
    ) -> QuerySet[IntegrationIssue]:
        return queryset.order_by("-created_at", "-id")


@strawberry.input
class IssueInput:
    api: str
    title: str
    body: str = ""
    kind: str = "bug"
    operation: str = ""


@strawberry.input
class RatingInput:
    operation_id: strawberry.ID
    naming: int | None = None
    error_messages: int | None = None
    documentation: int | None = None
    consistency: int | None = None
    performance: int | None = None
    comment: str = ""


@strawberry.type
class IssueResult:
    issue: IssueType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class RatingResult:
    feedback: FeedbackType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    apis: OffsetPaginated[ApiType] = strawberry_django.offset_paginated()
    integration_issues: OffsetPaginated[IssueType] = strawberry_django.offset_paginated(
        filters=IssueFilter
    )

    @strawberry_django.field
    def api(self, slug: str) -> ApiType | None:
        return cast(ApiType | None, selectors.api_list().filter(slug=slug).first())


@strawberry.type
class Mutation:
    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def file_integration_issue(self, info: Info, data: IssueInput) -> IssueResult:
        api = Api.objects.filter(slug=data.api).first()
        if api is None:
            raise NotFound(field="api", message="No such API.")
        issue = issue_services.issue_create(
            reporter=authenticated_user(info.context.request),
            api=api,
            title=data.title,
            body=data.body,
            kind=data.kind,
            operation_key=data.operation,
        )
        return IssueResult(issue=cast(IssueType, issue))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def move_integration_issue(self, info: Info, id: strawberry.ID, status: str) -> IssueResult:
        issue = IntegrationIssue.objects.select_related("api").filter(pk=integer_id(id)).first()
        if issue is None:
            raise NotFound(field="id", message="No such issue.")
        issue = issue_services.issue_update(
            issue=issue, actor=authenticated_user(info.context.request), status=status
        )
        return IssueResult(issue=cast(IssueType, issue))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def rate_operation(self, info: Info, data: RatingInput) -> RatingResult:
        operation = Operation.objects.filter(pk=integer_id(data.operation_id)).first()
        if operation is None:
            raise NotFound(field="operation_id", message="No such operation.")
        scores = {
            name: getattr(data, name)
            for name in ("naming", "error_messages", "documentation", "consistency", "performance")
        }
        item = feedback_services.feedback_submit(
            author=authenticated_user(info.context.request),
            operation=operation,
            comment=data.comment,
            **scores,
        )
        return RatingResult(feedback=cast(FeedbackType, item))
