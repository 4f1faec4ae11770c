"""REST endpoints: /api/v1/challenges/ (+ solutions, vote, comments, similar, leaderboard)
and /api/v1/solutions/ (+ vote, accept, comments)."""

from typing import Any

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
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
    ChallengeListSerializer,
    ChallengeSerializer,
    ChallengeUpdateInput,
    ChallengeVoteInput,
    ChallengeVoteResultSerializer,
    SimilarChallengeSerializer,
    SolutionInput,
    SolutionSerializer,
)
from nexus.challenges.filters import ChallengeFilter, SolutionFilter, ordering_for
from nexus.challenges.models import Challenge, Comment, Solution
from nexus.challenges.similarity import similar_challenges
from nexus.core import conditional
from nexus.core.auth import authenticated_user
from nexus.core.pagecache import PublicReads
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
    PublicReads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Challenge],
):
    """Challenges: real problems with their status, score and accepted solution."""

    public_cache_groups = ("challenges", "knowledge", "people")

    queryset = selectors.challenge_list()
    lookup_value_regex = r"\d+"
    serializer_class = ChallengeSerializer
    filterset_class = ChallengeFilter
    pagination_class = ChallengePagination
    filter_backends = (DjangoFilterBackend,)

    @extend_schema(responses=ChallengeListSerializer(many=True))
    def list(self, request: Request) -> Response:
        """Challenges with an excerpt of their body; one challenge's body is in its detail."""
        page = self.paginate_queryset(self.filter_queryset(selectors.challenge_summaries()))
        return self.get_paginated_response(ChallengeListSerializer(page, many=True).data)

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
        return conditional.with_etag(Response(body, status=status.HTTP_201_CREATED), fresh)

    @extend_schema(
        responses={200: ChallengeSerializer, **conditional.NOT_MODIFIED_RESPONSE},
        parameters=[conditional.IF_NONE_MATCH],
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        """One challenge, with its ETag for a later If-Match."""
        challenge = self.get_object()
        return conditional.read_response(
            request, challenge, lambda: ChallengeSerializer(challenge).data
        )

    @extend_schema(
        request=ChallengeUpdateInput,
        responses={200: ChallengeSerializer, **conditional.PRECONDITION_RESPONSES},
        parameters=[conditional.IF_MATCH],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Edit text/taxonomy (author or moderator), status and duplicates, or the accepted one."""
        challenge = _challenge(pk)
        # Refused before the If-Match check: a 428 or 412 is for those who may edit. Every
        # change here (text, status, duplicate, acceptance) is for the author or a moderator.
        if not policies.can_edit_challenge(request.user, challenge):
            self.permission_denied(request, message="Only the author or a mentor may change it.")
        expected_etag = conditional.if_match(request)
        data = ChallengeUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        changed = services.challenge_apply_changes(
            challenge=challenge,
            actor=authenticated_user(request),
            expected_etag=expected_etag,
            **data.validated_data,
        )
        fresh = selectors.challenge_get(pk=changed.pk) or changed
        return conditional.with_etag(Response(ChallengeSerializer(fresh).data), fresh)

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
            OpenApiParameter(
                "q", {"type": "string", "maxLength": 300}, description="A title being typed."
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": SIMILAR_MAX},
                description=f"1-{SIMILAR_MAX}, 5 unless given",
            ),
        ],
        responses=inline_serializer(
            "SimilarChallenges", {"results": SimilarChallengeSerializer(many=True)}
        ),
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
        responses=inline_serializer(
            "ChallengeLeaderboard", {"results": ChallengeLeaderboardRowSerializer(many=True)}
        ),
        filters=False,
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def leaderboard(self, request: Request) -> Response:
        """Top users by reputation, per technology (`?technology=`) and month (`?month=YYYY-MM`)."""
        data = ChallengeLeaderboardInput(data=request.query_params.dict())
        data.is_valid(raise_exception=True)
        rows = selectors.leaderboard(
            technology=data.validated_data.get("technology"),
            month=data.validated_data.get("month"),
        )
        return Response({"results": ChallengeLeaderboardRowSerializer(rows, many=True).data})


# --- Solutions ------------------------------------------------------------------------------
@extend_schema(tags=["challenges"])
class SolutionViewSet(
    PublicReads, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Solution]
):
    """Solutions (answers); `?mine=true` lists your own."""

    public_cache_groups = ("challenges", "people")

    queryset = selectors.solution_list()
    lookup_value_regex = r"\d+"
    serializer_class = SolutionSerializer
    filterset_class = SolutionFilter
    filter_backends = (DjangoFilterBackend,)

    @extend_schema(
        responses={200: SolutionSerializer, **conditional.NOT_MODIFIED_RESPONSE},
        parameters=[conditional.IF_NONE_MATCH],
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        """One solution, with its ETag for a later If-Match."""
        solution = self.get_object()
        return conditional.read_response(
            request, solution, lambda: SolutionSerializer(solution).data
        )

    @extend_schema(
        request=SolutionInput,
        responses={200: SolutionSerializer, **conditional.PRECONDITION_RESPONSES},
        parameters=[conditional.IF_MATCH],
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        solution = self.get_object()
        if not policies.can_edit_solution(request.user, solution):  # before If-Match, as above
            self.permission_denied(request, message="Only the author or a mentor may edit it.")
        expected_etag = conditional.if_match(request)
        # A PATCH names what it changes; one naming nothing changes nothing.
        data = SolutionInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if data.validated_data:
            services.solution_update(
                solution=solution,
                actor=authenticated_user(request),
                expected_etag=expected_etag,
                **data.validated_data,
            )
        fresh = self.get_object()
        return conditional.with_etag(Response(SolutionSerializer(fresh).data), fresh)

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
    @extend_schema(methods=["DELETE"], request=None, responses={200: ChallengeSerializer})
    @action(detail=True, methods=["post", "delete"])
    def accept(self, request: Request, pk: str) -> Response:
        """POST accepts this solution for its challenge (replacing any); DELETE takes it back."""
        solution = self.get_object()
        actor = authenticated_user(request)
        challenge = solution.challenge
        if request.method == "POST":
            services.challenge_apply_changes(
                challenge=challenge, actor=actor, accepted_solution=solution.pk
            )
        elif challenge.accepted_solution_id == solution.pk:
            services.challenge_apply_changes(
                challenge=challenge, actor=actor, accepted_solution=None
            )
        elif not policies.can_accept(actor, challenge):
            self.permission_denied(request)
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
