"""Output serializers shared by the collaboration hub's endpoints."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from nexus.accounts.api import PublicUserSerializer
from nexus.collab.models import (
    Api,
    BreakingChangeAlert,
    EndpointFeedback,
    IntegrationIssue,
    IssueComment,
    IssueEvent,
    Operation,
    SpecChange,
    SpecImport,
    SpecVersion,
)


class ChangeSerializer(serializers.ModelSerializer):
    operation = serializers.CharField(source="operation_key")

    class Meta:
        model = SpecChange
        fields = ("id", "kind", "severity", "operation", "detail")
        read_only_fields = fields


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpecVersion
        fields: tuple[str, ...] = (
            "number",
            "source",
            "source_url",
            "openapi_version",
            "title",
            "info_version",
            "content_hash",
            "change_count",
            "breaking_count",
            "created_at",
        )
        read_only_fields: tuple[str, ...] = fields


class VersionDetailSerializer(VersionSerializer):
    class Meta(VersionSerializer.Meta):
        fields = (*VersionSerializer.Meta.fields, "document")
        read_only_fields = fields


class ApiSerializer(serializers.ModelSerializer):
    team: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    latest_version = serializers.IntegerField(source="latest_version.number", default=None)

    class Meta:
        model = Api
        fields = (
            "slug",
            "name",
            "description",
            "base_url",
            "repository_url",
            "team",
            "latest_version",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class OperationSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = Operation
        fields: tuple[str, ...] = (
            "id",
            "key",
            "method",
            "path",
            "operation_id",
            "summary",
            "description",
            "deprecated",
            "tags",
            "version",
        )
        read_only_fields: tuple[str, ...] = fields


class OperationDetailSerializer(OperationSerializer):
    class Meta(OperationSerializer.Meta):
        fields = (*OperationSerializer.Meta.fields, "detail")
        read_only_fields = fields


class SpecImportSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", default=None)

    class Meta:
        model = SpecImport
        fields = ("id", "url", "status", "problems", "version", "created_at")
        read_only_fields = fields


class FeedbackSerializer(serializers.ModelSerializer):
    api: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    operation = serializers.CharField(source="operation_key")
    author = PublicUserSerializer(read_only=True)

    class Meta:
        model = EndpointFeedback
        fields = (
            "id",
            "api",
            "operation",
            "author",
            "naming",
            "error_messages",
            "documentation",
            "consistency",
            "performance",
            "comment",
            "example",
            "reply",
            "addressed_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class IssueSerializer(serializers.ModelSerializer):
    api: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    operation = serializers.CharField(source="operation_key")
    spec_version = serializers.IntegerField(source="spec_version.number", default=None)
    reporter = PublicUserSerializer(read_only=True)
    assignee = PublicUserSerializer(read_only=True)
    labels = serializers.SerializerMethodField()

    class Meta:
        model = IntegrationIssue
        fields = (
            "id",
            "title",
            "body",
            "body_html",
            "kind",
            "api",
            "operation",
            "spec_version",
            "change",
            "status",
            "reporter",
            "assignee",
            "labels",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_labels(self, issue: IntegrationIssue) -> list[str]:
        return sorted(label.name for label in issue.labels.all())


class IssueCommentSerializer(serializers.ModelSerializer):
    author = PublicUserSerializer(read_only=True)

    class Meta:
        model = IssueComment
        fields = ("id", "author", "body", "body_html", "created_at")
        read_only_fields = fields


class IssueEventSerializer(serializers.ModelSerializer):
    actor = PublicUserSerializer(read_only=True)

    class Meta:
        model = IssueEvent
        fields = ("id", "actor", "field", "old_value", "new_value", "created_at")
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    api: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    version = serializers.IntegerField(source="version.number")
    changes = ChangeSerializer(many=True, read_only=True)

    class Meta:
        model = BreakingChangeAlert
        fields = ("id", "api", "version", "changes", "read_at", "created_at")
        read_only_fields = fields


def problems_response_errors(problems: list[Any]) -> list[dict[str, Any]]:
    """Spec problems as problem+json field errors, keeping their pointer and line."""
    return [
        {
            "field": "spec",
            "code": "invalid_spec",
            "message": problem.message,
            "pointer": problem.pointer,
            "line": problem.line,
        }
        for problem in problems
    ]
