"""REST endpoints: /api/v1/challenges/ (+ solutions, vote, comments, similar, leaderboard)
and /api/v1/solutions/ (+ vote, accept, comments)."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.challenges import policies, selectors, services
from nexus.challenges.api.serializers import (
    ChallengeCommentInput,
    ChallengeCommentSerializer,
    ChallengeInput,
    ChallengeLeaderboardInput,
    ChallengeLeaderboardRowSerializer,
    ChallengeSerializer,
    ChallengeUpdateInput,
    ChallengeVoteInput,
    ChallengeVoteResultSerializer,
    SimilarChallengeSerializer,
    SolutionInput,
    SolutionSerializer,
)
from nexus.challenges.filters import ChallengeFilter, SolutionFilter, ordering_for
from nexus.challenges.models import Challenge, ChallengeStatus, Comment, Solution
from nexus.challenges.similarity import similar_challenges
from nexus.core.auth import authenticated_user
from nexus.core.pagination import CursorPagination

SIMILAR_MAX = 20


class ChallengePagination(CursorPagination):
    """Cursor pages in the order `?sort=` asks for (newest, votes, solved)."""

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        return ordering_for(request.query_params.get("sort"))


class ScorePagination(CursorPagination):
    ordering = ("-score", "id")


class OldestFirstPagination(CursorPagination):
    ordering = ("created_at", "id")


def challenge_etag(challenge: Challenge) -> str:
    """The challenge's version for If-Match: when its text, taxonomy or status last changed."""
    return f'"{int(challenge.updated_at.timestamp() * 1_000_000)}"'


def _check_if_match(request: Request, challenge: Challenge) -> None:
    """A stale If-Match is a 412: someone changed the challenge since the client read it."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if challenge_etag(challenge) not in tags:
        raise PreconditionFailed


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The challenge changed since you read it: fetch it again and reapply."
    default_code = "precondition_failed"


def _with_etag(response: Response, challenge: Challenge) -> Response:
    response["ETag"] = challenge_etag(challenge)
    return response


def _challenge(pk: str) -> Challenge:
    """The challenge an action works on, without the list's prefetches."""
    return get_object_or_404(Challenge, pk=pk)


def _vote_body(item: Challenge | Solution, value: int) -> dict[str, int]:
    return {"id": item.pk, "score": item.score, "value": value}


def _comment_view(request: Request, challenge: Challenge, solution: Solution | None) -> Response:
    """GET lists a thread's comments oldest first; POST adds one (or a reply)."""
    if request.method == "POST":
        data = ChallengeCommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        parent_id = data.validated_data.get("parent")
        parent = Comment.objects.filter(pk=parent_id).first() if parent_id else None
        if parent_id and parent is None:
            raise ApiValidationError({"parent": ["No such comment."]})
        comment = services.comment_create(
            challenge=challenge,
            solution=solution,
            parent=parent,
            author=authenticated_user(request),
            body=data.validated_data["body"],
        )
        return Response(ChallengeCommentSerializer(comment).data, status=status.HTTP_201_CREATED)
    paginator = OldestFirstPagination()
    comments = selectors.comment_list(challenge=challenge, solution=solution)
    page = paginator.paginate_queryset(comments, request)
    return paginator.get_paginated_response(ChallengeCommentSerializer(page, many=True).data)


# --- Challenges -----------------------------------------------------------------------------
@extend_schema(tags=["challenges"])
class ChallengeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Challenge]
):
    """Challenges: real problems with their status, score and accepted solution."""

    queryset = selectors.challenge_list()
    lookup_value_regex = r"\d+"
    serializer_class = ChallengeSerializer
    filterset_class = ChallengeFilter
    pagination_class = ChallengePagination
    filter_backends = (DjangoFilterBackend,)

    @extend_schema(
        request=ChallengeInput,
        responses={201: ChallengeSerializer},
        examples=[
            OpenApiExample(
                "A challenge",
                request_only=True,
                value={
                    "title": "Checker rejects my project although it runs locally",
                    "body": "It passes locally, the checker says `exit 1`. Tried: ...",
                    "technologies": ["python"],
                    "tags": ["checker"],
                },
            )
        ],
    )
    def create(self, request: Request) -> Response:
        data = ChallengeInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.challenge_create(
            author=authenticated_user(request), **data.validated_data
        )
        fresh = selectors.challenge_get(pk=created.pk) or created
        body = ChallengeSerializer(fresh).data
        return _with_etag(Response(body, status=status.HTTP_201_CREATED), fresh)

    @extend_schema(responses=ChallengeSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        """One challenge, with its ETag for a later If-Match."""
        challenge = self.get_object()
        return _with_etag(Response(ChallengeSerializer(challenge).data), challenge)

    @extend_schema(
        request=ChallengeUpdateInput,
        responses=ChallengeSerializer,
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Optional: the ETag you read; a stale one is refused with 412.",
            )
        ],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Edit text/taxonomy (author or moderator), status and duplicates, or the accepted one."""
        data = ChallengeUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        actor = authenticated_user(request)
        with transaction.atomic():
            challenge = get_object_or_404(Challenge.objects.select_for_update(), pk=pk)
            _check_if_match(request, challenge)
            _apply_challenge_patch(challenge, actor, fields)
        fresh = selectors.challenge_get(pk=challenge.pk) or challenge
        return _with_etag(Response(ChallengeSerializer(fresh).data), fresh)

    @extend_schema(request=ChallengeVoteInput, responses=ChallengeVoteResultSerializer)
    @action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: str) -> Response:
        """Vote up (1), down (-1) or take the vote back (0); the same vote twice is a no-op."""
        challenge = _challenge(pk)
        data = ChallengeVoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        value = data.validated_data["value"]
        challenge = services.challenge_vote(
            challenge=challenge, user=authenticated_user(request), value=value
        )
        return Response(_vote_body(challenge, value))

    @extend_schema(
        methods=["GET"], responses=SolutionSerializer(many=True), filters=False, parameters=[]
    )
    @extend_schema(methods=["POST"], request=SolutionInput, responses={201: SolutionSerializer})
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def solutions(self, request: Request, pk: str) -> Response:
        """The challenge's solutions, best score first; POST answers it."""
        challenge = _challenge(pk)
        if request.method == "POST":
            data = SolutionInput(data=request.data)
            data.is_valid(raise_exception=True)
            solution = services.solution_create(
                challenge=challenge, author=authenticated_user(request), **data.validated_data
            )
            return Response(SolutionSerializer(solution).data, status=status.HTTP_201_CREATED)
        paginator = ScorePagination()
        page = paginator.paginate_queryset(selectors.solution_list(challenge=challenge), request)
        return paginator.get_paginated_response(SolutionSerializer(page, many=True).data)

    @extend_schema(methods=["GET"], responses=ChallengeCommentSerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"], request=ChallengeCommentInput, responses={201: ChallengeCommentSerializer}
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def comments(self, request: Request, pk: str) -> Response:
        """Comments on the challenge itself (replies one level deep)."""
        return _comment_view(request, _challenge(pk), None)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="A title being typed."),
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"1-{SIMILAR_MAX}"),
        ],
        responses=SimilarChallengeSerializer(many=True),
        filters=False,
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def similar(self, request: Request) -> Response:
        """Challenges like the given title, solved ones first: "maybe this is already solved"."""
        query = request.query_params.get("q", "")
        limit = request.query_params.get("limit", "5")
        errors = {}
        if len(query) > 300:
            errors["q"] = ["Keep the query under 300 characters."]
        if not limit.isdigit() or not 1 <= int(limit) <= SIMILAR_MAX:
            errors["limit"] = [f"Give a number from 1 to {SIMILAR_MAX}."]
        if errors:
            raise ApiValidationError(errors)
        found = similar_challenges(text=query, limit=int(limit))
        return Response({"results": SimilarChallengeSerializer(found, many=True).data})

    @extend_schema(
        parameters=[ChallengeLeaderboardInput],
        responses=ChallengeLeaderboardRowSerializer(many=True),
        filters=False,
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def leaderboard(self, request: Request) -> Response:
        """Top users by reputation, per technology (`?technology=`) and month (`?month=YYYY-MM`)."""
        data = ChallengeLeaderboardInput(data=request.query_params.dict())
        data.is_valid(raise_exception=True)
        month = data.validated_data.get("month")
        rows = selectors.leaderboard(
            technology=data.validated_data.get("technology"),
            month=date.fromisoformat(f"{month}-01") if month else None,
        )
        return Response({"results": ChallengeLeaderboardRowSerializer(rows, many=True).data})


def _apply_challenge_patch(challenge: Challenge, actor: Any, fields: dict[str, Any]) -> None:
    content = {k: fields.pop(k) for k in ("title", "body", "technologies", "tags") if k in fields}
    if content:
        services.challenge_update(challenge=challenge, actor=actor, **content)
    if "status" in fields or "duplicate_of" in fields:
        target_id = fields.get("duplicate_of")
        target = Challenge.objects.filter(pk=target_id).first() if target_id else None
        if target_id and target is None:
            raise ApiValidationError({"duplicate_of": ["No such challenge."]})
        wanted = fields.get("status") or (
            ChallengeStatus.DUPLICATE if target else ChallengeStatus.OPEN
        )
        services.challenge_set_status(
            challenge=challenge, actor=actor, status=wanted, duplicate_of=target
        )
    if "accepted_solution" in fields:
        solution_id = fields["accepted_solution"]
        if solution_id is None:
            services.solution_unaccept(challenge=challenge, actor=actor)
            return
        solution = Solution.objects.filter(pk=solution_id).first()
        if solution is None:
            raise ApiValidationError({"accepted_solution": ["No such solution."]})
        try:
            services.solution_accept(challenge=challenge, solution=solution, actor=actor)
        except ValidationError as exc:
            raise ApiValidationError({"accepted_solution": exc.messages}) from exc


# --- Solutions ------------------------------------------------------------------------------
@extend_schema(tags=["challenges"])
class SolutionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Solution]
):
    """Solutions (answers); `?mine=true` lists your own."""

    queryset = selectors.solution_list()
    lookup_value_regex = r"\d+"
    serializer_class = SolutionSerializer
    filterset_class = SolutionFilter
    filter_backends = (DjangoFilterBackend,)

    @extend_schema(request=SolutionInput, responses=SolutionSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        solution = self.get_object()
        data = SolutionInput(data=request.data)
        data.is_valid(raise_exception=True)
        solution = services.solution_update(
            solution=solution, actor=authenticated_user(request), **data.validated_data
        )
        return Response(SolutionSerializer(solution).data)

    @extend_schema(request=None, responses=SolutionSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        """The author (or a mentor/admin) confirms the solution is still right: clears the
        "may be outdated" flag. Editing the body never clears it."""
        solution = self.get_object()
        services.solution_mark_reviewed(solution=solution, actor=authenticated_user(request))
        return Response(SolutionSerializer(self.get_object()).data)

    @extend_schema(request=ChallengeVoteInput, responses=ChallengeVoteResultSerializer)
    @action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: str) -> Response:
        """Vote up (1), down (-1) or take the vote back (0); the same vote twice is a no-op."""
        solution = self.get_object()
        data = ChallengeVoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        value = data.validated_data["value"]
        solution = services.solution_vote(
            solution=solution, user=authenticated_user(request), value=value
        )
        return Response(_vote_body(solution, value))

    @extend_schema(methods=["POST"], request=None, responses=ChallengeSerializer)
    @extend_schema(methods=["DELETE"], request=None, responses=ChallengeSerializer)
    @action(detail=True, methods=["post", "delete"])
    def accept(self, request: Request, pk: str) -> Response:
        """POST accepts this solution for its challenge (replacing any); DELETE takes it back."""
        solution = self.get_object()
        actor = authenticated_user(request)
        if request.method == "DELETE":
            challenge = solution.challenge
            if challenge.accepted_solution_id == solution.pk:
                services.solution_unaccept(challenge=challenge, actor=actor)
            elif not policies.can_accept(actor, challenge):
                self.permission_denied(request)
        else:
            services.solution_accept(challenge=solution.challenge, solution=solution, actor=actor)
        return Response(ChallengeSerializer(selectors.challenge_get(pk=solution.challenge_id)).data)

    @extend_schema(methods=["GET"], responses=ChallengeCommentSerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"], request=ChallengeCommentInput, responses={201: ChallengeCommentSerializer}
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def comments(self, request: Request, pk: str) -> Response:
        """Comments on this solution (replies one level deep)."""
        solution = self.get_object()
        return _comment_view(request, solution.challenge, solution)
