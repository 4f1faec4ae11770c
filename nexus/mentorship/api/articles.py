"""/api/v1/articles/{slug}/review-requests/: rounds of review, their line comments and decision."""

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.models import User
from nexus.core.auth import authenticated_user
from nexus.core.errors import PROBLEM_CONTENT_TYPE, problem_body
from nexus.core.pagination import CursorPagination
from nexus.journal.models import Program
from nexus.knowledge import policies as knowledge_policies
from nexus.knowledge import selectors as knowledge_selectors
from nexus.knowledge.models import Article
from nexus.mentorship import policies, selectors
from nexus.mentorship.api import article_serializers as s
from nexus.mentorship.models import ArticleReviewRequest, ReviewComment
from nexus.mentorship.services import articles as services

PROBLEM = OpenApiResponse(description="application/problem+json")
ERRORS = {400: PROBLEM, 403: PROBLEM, 404: PROBLEM}


class NewestFirst(CursorPagination):
    ordering = ("-created_at", "-id")


class OldestFirst(CursorPagination):
    ordering = ("created_at", "id")


def _article(request: Request, slug: str) -> Article:
    """The article of the URL, if the viewer may see it (404 otherwise, as articles answer)."""
    article = knowledge_selectors.article_find(slug=slug)
    if article is None or not knowledge_policies.can_view_article(request.user, article):
        raise Http404
    return article


def _round(request: Request, slug: str, request_id: int) -> ArticleReviewRequest:
    found = selectors.review_request_get(request_id=request_id)
    if (
        found is None
        or found.article.slug != slug
        or not policies.can_view_article_review(request.user, found)
    ):
        raise Http404
    return found


@extend_schema(tags=["article reviews"])
class ReviewRequestListApi(generics.GenericAPIView[ArticleReviewRequest]):
    """An article's rounds of review (those the viewer may see); the author asks for one."""

    permission_classes = (permissions.IsAuthenticated,)
    pagination_class = NewestFirst
    serializer_class = s.ReviewRequestSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ArticleReviewRequest.objects.none()
        article = _article(self.request, self.kwargs["slug"])
        return selectors.review_requests_visible(viewer=self.request.user, article=article)

    @extend_schema(
        summary="Rounds of review of an article",
        responses={200: s.ReviewRequestSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, slug: str) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ReviewRequestSerializer(page, many=True).data)

    @extend_schema(
        summary="Request a review: the draft goes into review",
        request=s.ReviewRequestInput,
        responses={201: s.ReviewRequestSerializer, **ERRORS},
    )
    def post(self, request: Request, slug: str) -> Response:
        article = _article(request, slug)
        data = s.ReviewRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        rubric = None
        if rubric_id := data.validated_data.get("rubric"):
            rubric = selectors.rubric_get(rubric_id=rubric_id)
            if rubric is None:
                return _field_problem("rubric", "No such rubric.")
        created = services.review_request(
            actor=authenticated_user(request),
            article=article,
            reviewer_ids=data.validated_data.get("reviewers"),
            rubric=rubric,
        )
        fresh = selectors.review_request_get(request_id=created.pk)
        return Response(s.ReviewRequestSerializer(fresh).data, status=status.HTTP_201_CREATED)


def _field_problem(field: str, message: str) -> Response:
    body = problem_body(
        400,
        detail="The request has invalid fields.",
        code="invalid",
        errors=[{"field": field, "code": "invalid", "message": message}],
    )
    return Response(body, status=400, content_type=PROBLEM_CONTENT_TYPE)


@extend_schema(tags=["article reviews"])
class ReviewRequestDetailApi(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        summary="One round of review", responses={200: s.ReviewRequestSerializer, **ERRORS}
    )
    def get(self, request: Request, slug: str, request_id: int) -> Response:
        return Response(s.ReviewRequestSerializer(_round(request, slug, request_id)).data)


@extend_schema(tags=["article reviews"])
class ReviewCommentListApi(generics.GenericAPIView[ReviewComment]):
    """Line comments of a round, each placed on the article's current text (or outdated)."""

    permission_classes = (permissions.IsAuthenticated,)
    pagination_class = OldestFirst
    serializer_class = s.ReviewCommentSerializer
    queryset = ReviewComment.objects.none()

    @extend_schema(
        summary="Line comments of a round",
        responses={200: s.ReviewCommentSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, slug: str, request_id: int) -> Response:
        round_ = _round(request, slug, request_id)
        page = self.paginate_queryset(
            selectors.review_comments_of(article=round_.article).filter(request=round_)
        )
        lines = selectors.body_lines(round_.article.body)
        anchored = selectors.anchor_comments(page or [], lines=lines)
        return self.get_paginated_response(s.ReviewCommentSerializer(anchored, many=True).data)

    @extend_schema(
        summary="Comment on a line of a revision",
        request=s.ReviewCommentInput,
        responses={201: s.ReviewCommentSerializer, **ERRORS},
    )
    def post(self, request: Request, slug: str, request_id: int) -> Response:
        round_ = _round(request, slug, request_id)
        data = s.ReviewCommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.review_comment_add(
            actor=authenticated_user(request),
            request=round_,
            revision_number=data.validated_data["revision"],
            line=data.validated_data["line"],
            body=data.validated_data["body"],
        )
        lines = selectors.body_lines(round_.article.body)
        [anchored] = selectors.anchor_comments([comment], lines=lines)
        return Response(s.ReviewCommentSerializer(anchored).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["article reviews"])
class ReviewDecisionApi(APIView):
    """Decide a round once. The loser of a race gets 409 with the review that won."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        summary="Approve (publishes) or request changes (back to draft)",
        request=s.ReviewDecisionInput,
        responses={201: s.ReviewSerializer, 409: PROBLEM, **ERRORS},
    )
    def post(self, request: Request, slug: str, request_id: int) -> Response:
        round_ = _round(request, slug, request_id)
        data = s.ReviewDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            review = services.review_decide(
                actor=authenticated_user(request),
                request=round_,
                decision=data.validated_data["decision"],
                comment=data.validated_data.get("comment", ""),
                scores=data.validated_data.get("scores", []),
            )
        except services.ReviewAlreadyDecided as lost:
            body = problem_body(
                409,
                detail=f"{lost.review.reviewer.display_name} decided this review first.",
                code="already_decided",
            )
            body["review"] = s.ReviewSerializer(lost.review).data
            return Response(body, status=409, content_type=PROBLEM_CONTENT_TYPE)
        return Response(s.ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["article reviews"])
class ReviewWithdrawApi(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        summary="Withdraw a review request: the article goes back to draft",
        request=None,
        responses={200: s.ReviewRequestSerializer, **ERRORS},
    )
    def post(self, request: Request, slug: str, request_id: int) -> Response:
        round_ = _round(request, slug, request_id)
        services.review_withdraw(actor=authenticated_user(request), request=round_)
        return Response(s.ReviewRequestSerializer(_round(request, slug, request_id)).data)


@extend_schema(tags=["article reviews"])
class ReviewQueueApi(generics.GenericAPIView[ArticleReviewRequest]):
    """Open rounds waiting for the signed-in reviewer, oldest first."""

    permission_classes = (permissions.IsAuthenticated,)
    pagination_class = OldestFirst
    serializer_class = s.ReviewRequestSerializer
    queryset = ArticleReviewRequest.objects.none()

    @extend_schema(
        summary="Articles waiting for my review",
        responses={200: s.ReviewRequestSerializer(many=True), 403: PROBLEM},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.review_queue(reviewer=request.user))
        return self.get_paginated_response(s.ReviewRequestSerializer(page, many=True).data)


def _author_setting(author: User) -> dict[str, Any]:
    own = selectors.author_review_setting(author=author)
    return {
        "author": author.pk,
        "required": selectors.article_review_required(author=author),
        "own_setting": own.required if own else None,
        "set_by": own.set_by_id if own else None,
    }


@extend_schema(tags=["article reviews"])
class AuthorReviewSettingApi(APIView):
    """Whether an author's articles need a review before publishing: the author opts in, their
    mentor (or an admin) decides for them."""

    permission_classes = (permissions.IsAuthenticated,)

    def _author(self, request: Request, user_id: int) -> User:
        author = User.objects.filter(pk=user_id, is_active=True).first()
        if author is None or not policies.can_require_article_review(request.user, author):
            raise Http404
        return author

    @extend_schema(
        summary="An author's review setting",
        responses={200: s.AuthorReviewSettingSerializer, **ERRORS},
    )
    def get(self, request: Request, user_id: int) -> Response:
        return Response(_author_setting(self._author(request, user_id)))

    @extend_schema(
        summary="Require (or not) a review of an author's articles",
        request=s.ReviewSettingInput,
        responses={200: s.AuthorReviewSettingSerializer, **ERRORS},
    )
    def put(self, request: Request, user_id: int) -> Response:
        author = self._author(request, user_id)
        data = s.ReviewSettingInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.author_article_review_set(
            actor=authenticated_user(request),
            author=author,
            required=data.validated_data["required"],
        )
        return Response(_author_setting(author))


@extend_schema(tags=["article reviews"])
class ProgramReviewSettingApi(APIView):
    """Whether a programme's learners need a review before publishing; mentors and admins set it."""

    permission_classes = (permissions.IsAuthenticatedOrReadOnly,)

    def _answer(self, program: Program) -> Response:
        required = selectors.program_article_review_required(program=program)
        return Response({"program": program.slug, "required": required})

    @extend_schema(
        summary="A programme's review setting",
        responses={200: s.ProgramReviewSettingSerializer, 404: PROBLEM},
    )
    def get(self, request: Request, slug: str) -> Response:
        return self._answer(get_object_or_404(Program, slug=slug))

    @extend_schema(
        summary="Require (or not) a review of a programme's learners' articles",
        request=s.ReviewSettingInput,
        responses={200: s.ProgramReviewSettingSerializer, **ERRORS},
    )
    def put(self, request: Request, slug: str) -> Response:
        program = get_object_or_404(Program, slug=slug)
        data = s.ReviewSettingInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.program_article_review_set(
            actor=authenticated_user(request),
            program=program,
            required=data.validated_data["required"],
        )
        return self._answer(program)
