"""Thin REST views: parse, check the policy, call a service or selector, serialize."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, permissions, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.models import User
from nexus.core import clock, conditional, months
from nexus.core.auth import authenticated_user
from nexus.core.openapi import EMPTY_TEXT
from nexus.core.pagination import CursorPagination
from nexus.journal import analytics, evidence, policies, selectors, services
from nexus.journal.api import serializers as s
from nexus.journal.api.filters import EntryFilter, ProgressFilter
from nexus.journal.models import Entry, MilestoneProgress, MilestoneStatus, Program, Reflection
from nexus.mentorship.api import views as mentorship_api
from nexus.mentorship.services import milestones as milestone_services


class ByDatePagination(CursorPagination):
    ordering = ("-date", "-id")


class ByMonthPagination(CursorPagination):
    ordering = ("-month", "-id")


class ByLearnerPagination(CursorPagination):
    ordering = ("learner_id", "id")


class BySlugPagination(CursorPagination):
    ordering = ("-is_default", "slug")


def _deny_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@extend_schema(tags=["journal"])
class EntryViewSet(viewsets.GenericViewSet):
    """Worklog entries, scoped to what the caller may see (private, mentors, public)."""

    serializer_class = s.EntrySerializer
    pagination_class = ByDatePagination
    filterset_class = EntryFilter
    ordering_fields: tuple[str, ...] = ()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Entry.objects.none()
        return selectors.entry_list(viewer=self.request.user)

    def get_object(self) -> Entry:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def _editable(self) -> Entry:
        """The entry of the URL, 403 for a reader who may not edit it (mentors, admins): answered
        before the If-Match check, so a refusal is never a 428 or a 412."""
        entry = self.get_object()
        _deny_unless(policies.can_edit_journal_item(self.request.user, entry))
        return entry

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.EntrySerializer(page, many=True).data)

    @extend_schema(
        parameters=[conditional.IF_NONE_MATCH],
        responses={200: s.EntrySerializer, **conditional.NOT_MODIFIED_RESPONSE},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        entry = self.get_object()
        return conditional.read_response(request, entry, lambda: s.EntrySerializer(entry).data)

    @extend_schema(request=s.EntryInput, responses={201: s.EntrySerializer})
    def create(self, request: Request) -> Response:
        user = authenticated_user(request)
        data = s.EntryInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.entry_create(author=user, **data.validated_data)
        entry = selectors.entry_list(viewer=user).get(pk=entry.pk)
        response = Response(s.EntrySerializer(entry).data, status=status.HTTP_201_CREATED)
        return conditional.with_etag(response, entry)

    @extend_schema(
        request=s.EntryInput,
        parameters=[conditional.IF_MATCH],
        responses={200: s.EntrySerializer, **conditional.PRECONDITION_RESPONSES},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        entry = self._editable()
        expected_etag = conditional.if_match(request)
        data = s.EntryInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.entry_update(
            entry=entry,
            actor=authenticated_user(request),
            expected_etag=expected_etag,
            **data.validated_data,
        )
        entry = self.get_object()
        return conditional.with_etag(Response(s.EntrySerializer(entry).data), entry)

    @extend_schema(
        parameters=[conditional.IF_MATCH],
        responses={204: None, **conditional.PRECONDITION_RESPONSES},
    )
    def destroy(self, request: Request, pk: str) -> Response:
        entry = self._editable()
        services.entry_delete(
            entry=entry,
            actor=authenticated_user(request),
            expected_etag=conditional.if_match(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["journal"])
class ReflectionViewSet(viewsets.GenericViewSet):
    """Monthly reflections; POST writes (or rewrites) the caller's reflection on a month."""

    serializer_class = s.ReflectionSerializer
    pagination_class = ByMonthPagination

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Reflection.objects.none()
        queryset = selectors.reflection_list(viewer=self.request.user)
        author = self.request.query_params.get("author")
        if author is not None:
            if not author.isdigit():
                raise ValidationError({"author": ["Give a user id."]})
            queryset = queryset.filter(author_id=int(author))
        return queryset

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ReflectionSerializer(page, many=True).data)

    @extend_schema(request=s.ReflectionInput, responses={201: s.ReflectionSerializer})
    def create(self, request: Request) -> Response:
        data = s.ReflectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        reflection = services.reflection_save(
            author=authenticated_user(request), **data.validated_data
        )
        return Response(s.ReflectionSerializer(reflection).data, status=status.HTTP_201_CREATED)


class EvidenceApi(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        tags=["journal"],
        parameters=[
            OpenApiParameter(
                "month",
                {"anyOf": [{"type": "string", "pattern": months.MONTH_SCHEMA_PATTERN}, EMPTY_TEXT]},
                description="YYYY-MM, this month when left out or empty",
            )
        ],
        responses=inline_serializer(
            "MonthEvidence",
            {"month": s.MonthField(), "results": s.EvidenceItemSerializer(many=True)},
        ),
    )
    def get(self, request: Request) -> Response:
        """What Nexus knows the caller did in a month: articles, solutions, APIs, feedback."""
        month = _month_param(request)
        start, end = selectors.month_bounds(month)
        items = evidence.gather(authenticated_user(request), start, end)
        return Response(
            {
                "month": f"{start.year:04d}-{start.month:02d}",
                "results": s.EvidenceItemSerializer(items, many=True).data,
            }
        )


def _month_param(request: Request) -> date:
    value = request.query_params.get("month")
    if not value:
        return clock.first_of_this_month()
    try:
        return months.parse_month(value)
    except ValueError as exc:
        raise ValidationError({"month": [str(exc)]}) from exc


@extend_schema(tags=["programs"])
class ProgramViewSet(viewsets.GenericViewSet):
    """Programs with their months, topics and milestones; mentors and admins edit them."""

    serializer_class = s.ProgramSerializer
    pagination_class = BySlugPagination
    lookup_field = "slug"
    queryset = Program.objects.none()

    def get_queryset(self) -> Any:
        return selectors.program_list()

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ProgramSerializer(page, many=True).data)

    def retrieve(self, request: Request, slug: str) -> Response:
        return Response(s.ProgramSerializer(get_object_or_404(self.get_queryset(), slug=slug)).data)

    @extend_schema(request=s.ProgramInput, responses=s.ProgramSerializer)
    def partial_update(self, request: Request, slug: str) -> Response:
        program = get_object_or_404(self.get_queryset(), slug=slug)
        data = s.ProgramInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.program_update(
            program=program, actor=authenticated_user(request), **data.validated_data
        )
        return Response(s.ProgramSerializer(selectors.program_get(slug=slug)).data)


@extend_schema(tags=["milestones"])
class MilestoneProgressViewSet(viewsets.GenericViewSet, mixins.RetrieveModelMixin):
    """Each learner's milestones: learners update and submit theirs, mentors review."""

    serializer_class = s.ProgressSerializer
    pagination_class = ByLearnerPagination
    filterset_class = ProgressFilter
    permission_classes = (permissions.IsAuthenticated,)
    ordering_fields: tuple[str, ...] = ()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return MilestoneProgress.objects.none()
        return selectors.progress_list(viewer=self.request.user)

    def get_object(self) -> MilestoneProgress:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.ProgressSerializer(page, many=True).data)

    @extend_schema(request=s.ProgressInput, responses=s.ProgressSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        progress = self.get_object()
        data = s.ProgressInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = data.validated_data
        if changes.get("status") == MilestoneStatus.SUBMITTED:
            # A submission is a round of the milestone's review thread, however it is sent.
            changes.pop("status")
            milestone_services.milestone_submit(
                progress=progress, actor=authenticated_user(request), **changes
            )
        else:
            services.progress_update(
                progress=progress, actor=authenticated_user(request), **changes
            )
        return Response(s.ProgressSerializer(self.get_object()).data)

    @extend_schema(
        request=mentorship_api.s.MilestoneReviewInput,
        responses={
            200: mentorship_api.s.ReviewedMilestoneSerializer,
            409: mentorship_api.REVIEW_CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        """Review a submitted milestone (mentorship scores it against its rubric)."""
        progress = self.get_object()
        return mentorship_api.review_response(
            request, progress, lambda: s.ProgressSerializer(self.get_object()).data
        )

    @extend_schema(
        request=mentorship_api.s.SubmitInput,
        responses={
            201: mentorship_api.s.MilestoneSubmissionSerializer,
            200: mentorship_api.s.MilestoneSubmissionSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        """Submit the milestone for review: a new round of its thread."""
        return mentorship_api.submit_response(request, self.get_object())

    @extend_schema(responses=mentorship_api.s.MilestoneThreadSerializer)
    @action(detail=True, methods=["get"])
    def thread(self, request: Request, pk: str) -> Response:
        """Every submission of the milestone with its review and scores."""
        return mentorship_api.thread_response(request, self.get_object())


class ChartCsvRenderer(renderers.BaseRenderer):
    """A chart as CSV: a label column and one column per dataset (`?format=csv`)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        if isinstance(data, analytics.Chart):
            return data.as_csv()
        # An error is a problem+json document whatever format was asked for.
        return renderers.JSONRenderer().render(data, accepted_media_type, renderer_context)


class ChartApi(APIView):
    permission_classes = (permissions.IsAuthenticated,)
    renderer_classes = (renderers.JSONRenderer, ChartCsvRenderer)

    def respond(self, chart: analytics.Chart) -> Response:
        if getattr(self.request.accepted_renderer, "format", "") == "csv":
            response = Response(chart)
            response["Content-Disposition"] = f'attachment; filename="{chart.name}.csv"'
            return response
        return Response(chart.as_dict())


def _chart(charts: dict[str, Any], name: str) -> Any:
    if name not in charts:
        raise NotFound(f"No chart named {name!r}; there are {', '.join(sorted(charts))}.")
    return charts[name]


@extend_schema(tags=["analytics"], responses=s.ChartSerializer)
class LearnerChartApi(ChartApi):
    """A learner's chart (activity, milestones, topics): `me` or a user id (mentors, admins)."""

    def get(self, request: Request, learner: str, chart: str) -> Response:
        function = _chart(analytics.LEARNER_CHARTS, chart)
        user = authenticated_user(request)
        target = user if learner == "me" else get_object_or_404(User, pk=learner)
        _deny_unless(policies.can_view_learner_dashboard(user, target))
        return self.respond(function(target))


@extend_schema(tags=["analytics"], responses=s.ChartSerializer)
class CohortChartApi(ChartApi):
    """A cohort's chart (milestones, inactive, coverage), for mentors and admins."""

    def get(self, request: Request, cohort_id: int, chart: str) -> Response:
        function = _chart(analytics.COHORT_CHARTS, chart)
        cohort = get_object_or_404(selectors.cohort_list(), pk=cohort_id)
        _deny_unless(policies.can_view_cohort_dashboard(request.user, cohort))
        return self.respond(function(cohort))


@extend_schema(tags=["analytics"], responses=s.ChartSerializer)
class ProgramChartApi(ChartApi):
    """Program-wide charts (weekly-active-users, content-per-week), for admins."""

    def get(self, request: Request, chart: str) -> Response:
        function = _chart(analytics.PROGRAM_CHARTS, chart)
        _deny_unless(policies.can_view_program_analytics(request.user))
        return self.respond(function())
