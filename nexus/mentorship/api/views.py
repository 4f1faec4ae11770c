"""Thin REST views of mentorship: rubrics, and the milestone submit / review / thread actions the
journal's milestone routes hand over to (their paths stay /api/v1/milestones/{id}/...)."""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.core import conditional
from nexus.core.auth import authenticated_user
from nexus.core.errors import PROBLEM_CONTENT_TYPE, problem_body
from nexus.core.pagination import CursorPagination
from nexus.journal.models import Milestone, MilestoneProgress
from nexus.mentorship import policies, selectors
from nexus.mentorship.api import serializers as s
from nexus.mentorship.models import Rubric
from nexus.mentorship.services import milestones as milestone_services
from nexus.mentorship.services import rubrics as rubric_services


class ByNamePagination(CursorPagination):
    ordering = ("name", "id")


@extend_schema(tags=["mentorship"])
class RubricViewSet(viewsets.GenericViewSet):
    """Rubrics: everyone signed in reads them, mentors and admins write; a change of criteria is a
    new version (`versions/` lists them, newest first)."""

    serializer_class = s.RubricSerializer
    pagination_class = ByNamePagination
    permission_classes = (permissions.IsAuthenticated,)
    queryset = Rubric.objects.none()

    def get_queryset(self) -> Any:
        archived = self.request.query_params.get("archived") == "true"
        return selectors.rubric_list_with_versions(include_archived=archived)

    def get_object(self) -> Rubric:
        return get_object_or_404(
            selectors.rubric_list_with_versions(include_archived=True), pk=self.kwargs["pk"]
        )

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.RubricSerializer(page, many=True).data)

    @extend_schema(
        parameters=[conditional.IF_NONE_MATCH],
        responses={200: s.RubricSerializer, **conditional.NOT_MODIFIED_RESPONSE},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        rubric = self.get_object()
        return conditional.read_response(request, rubric, lambda: s.RubricSerializer(rubric).data)

    @extend_schema(request=s.RubricInput, responses={201: s.RubricSerializer})
    def create(self, request: Request) -> Response:
        data = s.RubricInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        values.pop("archived", None)
        rubric = rubric_services.rubric_create(actor=authenticated_user(request), **values)
        self.kwargs["pk"] = rubric.pk
        rubric = self.get_object()
        response = Response(s.RubricSerializer(rubric).data, status=status.HTTP_201_CREATED)
        return conditional.with_etag(response, rubric)

    @extend_schema(
        request=s.RubricInput,
        parameters=[conditional.IF_MATCH],
        responses={200: s.RubricSerializer, **conditional.PRECONDITION_RESPONSES},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        rubric = self.get_object()
        user = authenticated_user(request)
        # A refusal comes before the precondition: a 428 or 412 is for those who may edit.
        if not policies.can_edit_rubric(user):
            raise PermissionDenied("Only mentors and admins write rubrics.")
        expected_etag = conditional.if_match(request)
        data = s.RubricInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        archived = values.pop("archived", None)
        with transaction.atomic():
            rubric_services.rubric_update(
                actor=user, rubric=rubric, expected_etag=expected_etag, **values
            )
            if archived is not None:
                rubric_services.rubric_archive(actor=user, rubric=rubric, archived=archived)
        rubric = self.get_object()
        return conditional.with_etag(Response(s.RubricSerializer(rubric).data), rubric)

    @extend_schema(responses=s.RubricVersionsSerializer)
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: str) -> Response:
        rubric = self.get_object()
        return Response(
            {"results": s.RubricVersionSerializer(rubric.versions.all(), many=True).data}
        )


@extend_schema(tags=["mentorship"])
class MilestoneRubricViewSet(viewsets.GenericViewSet):
    """The rubric each programme milestone is scored with; mentors and admins set it."""

    serializer_class = s.MilestoneRubricSerializer
    permission_classes = (permissions.IsAuthenticated,)
    queryset = Milestone.objects.none()

    def get_queryset(self) -> Any:
        return Milestone.objects.select_related("rubric_link__rubric").order_by("program", "number")

    @extend_schema(request=s.MilestoneRubricInput, responses=s.MilestoneRubricSerializer)
    def update(self, request: Request, pk: str) -> Response:
        milestone = get_object_or_404(self.get_queryset(), pk=pk)
        data = s.MilestoneRubricInput(data=request.data)
        data.is_valid(raise_exception=True)
        rubric_id = data.validated_data["rubric"]
        rubric = None
        if rubric_id is not None:
            rubric = selectors.rubric_get(rubric_id=rubric_id)
            if rubric is None:
                raise serializers.ValidationError({"rubric": ["No such rubric."]})
        milestone_services.milestone_rubric_set(
            actor=authenticated_user(request), milestone=milestone, rubric=rubric
        )
        return Response(s.MilestoneRubricSerializer(self.get_queryset().get(pk=pk)).data)


REVIEW_CONFLICT = inline_serializer(
    "ReviewConflict",
    {
        "status": serializers.IntegerField(),
        "code": serializers.CharField(),
        "detail": serializers.CharField(),
        "review": s.MilestoneReviewSerializer(),
    },
)


def submit_response(request: Request, progress: MilestoneProgress) -> Response:
    """POST /milestones/{id}/submit/: a new round (201), or the open one changed (200)."""
    data = s.SubmitInput(data=request.data)
    data.is_valid(raise_exception=True)
    before = selectors.latest_submission(progress=progress)
    submission = milestone_services.milestone_submit(
        progress=progress, actor=authenticated_user(request), **data.validated_data
    )
    opened = before is None or submission.round > before.round
    fresh = selectors.milestone_thread(progress=progress).get(pk=submission.pk)
    return Response(
        s.MilestoneSubmissionSerializer(fresh).data,
        status=status.HTTP_201_CREATED if opened else status.HTTP_200_OK,
    )


def review_response(
    request: Request, progress: MilestoneProgress, progress_data: Callable[[], dict[str, Any]]
) -> Response:
    """POST /milestones/{id}/review/: the milestone as the journal shows it, with the review; a
    409 carries the review that won a race."""
    data = s.MilestoneReviewInput(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        review = milestone_services.milestone_review(
            progress=progress, reviewer=authenticated_user(request), **data.validated_data
        )
    except milestone_services.ReviewConflict as conflict:
        return conflict_response(conflict)
    saved = s.MilestoneReviewSerializer(selectors.review_get(review_id=review.pk)).data
    return Response({**progress_data(), "review": saved})


def conflict_response(conflict: milestone_services.ReviewConflict) -> Response:
    review = selectors.review_get(review_id=conflict.review.pk)
    body = problem_body(409, detail=str(conflict), code="review_conflict")
    body["review"] = s.MilestoneReviewSerializer(review).data
    return Response(body, status=status.HTTP_409_CONFLICT, content_type=PROBLEM_CONTENT_TYPE)


def thread_response(request: Request, progress: MilestoneProgress) -> Response:
    """GET /milestones/{id}/thread/: every round and its review, oldest first."""
    if not policies.can_view_milestone_thread(request.user, progress):
        raise PermissionDenied("Only the learner and their mentors read this thread.")
    rounds = selectors.milestone_thread(progress=progress)
    version = selectors.milestone_rubric_version(milestone=progress.milestone)
    rubric = None
    if version is not None:
        rubric = {
            "id": version.rubric_id,
            "name": version.rubric.name,
            **s.RubricVersionSerializer(version).data,
        }
    return Response(
        {
            "progress": progress.pk,
            "status": progress.status,
            "rubric": rubric,
            "results": s.MilestoneSubmissionSerializer(rounds, many=True).data,
        }
    )
