"""REST: /api/v1/imports/ — start an import (multipart `file`, or JSON `{url}`), follow it."""

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.core.auth import authenticated_user
from nexus.core.serializers import StrictSerializer
from nexus.importer import selectors, services
from nexus.importer.models import ImportJob


class ImportJobSerializer(serializers.ModelSerializer):
    owner = serializers.IntegerField(source="owner_id", read_only=True)
    percent = serializers.IntegerField(
        read_only=True,
        help_text="Items written out of items_total, 0-100 (items_total is 0 while the files are "
        "still being read); 100 once the job has finished.",
    )

    class Meta:
        model = ImportJob
        fields = (
            "id",
            "owner",
            "source",
            "source_kind",
            "dry_run",
            "status",
            "files_total",
            "files_done",
            "items_total",
            "items_done",
            "percent",
            "current_path",
            "report",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        )
        read_only_fields = fields


class ImportJobInput(StrictSerializer):
    file = serializers.FileField(required=False)
    url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    dry_run = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("file")) == bool(attrs.get("url", "").strip()):
            message = "Send a file or a repository URL (one of them)."
            raise serializers.ValidationError({"file": [message], "url": [message]})
        return attrs


@extend_schema(tags=["imports"])
class ImportJobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ImportJob]
):
    """Import jobs: a user sees their own (admins everybody's); the report is in `report`."""

    permission_classes = (permissions.IsAuthenticated,)
    serializer_class = ImportJobSerializer
    parser_classes = (JSONParser, MultiPartParser, FormParser)
    filterset_fields = ("status", "source_kind")
    ordering = ("-created_at", "-id")

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        return selectors.import_jobs_visible_to(authenticated_user(self.request))

    @extend_schema(
        request=ImportJobInput,
        responses={201: ImportJobSerializer},
        examples=[
            OpenApiExample(
                "A repository", value={"url": "https://github.com/learner/alx-project-nexus.git"}
            )
        ],
    )
    def create(self, request: Request) -> Response:
        data = ImportJobInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data.get("file")
        owner = authenticated_user(request)
        job = services.import_job_create(
            owner=owner,
            upload_name=upload.name if upload else "",
            upload_data=upload.read() if upload else None,
            url=data.validated_data.get("url", ""),
            dry_run=data.validated_data["dry_run"],
        )
        job = selectors.import_jobs_visible_to(owner).get(pk=job.pk)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)
