"""Interactions on an article: comment threads, "helpful" reactions, the bookmark."""

from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.core.auth import authenticated_user
from nexus.knowledge import selectors, services
from nexus.knowledge.api import serializers as s
from nexus.knowledge.api.common import PROBLEM, problem
from nexus.knowledge.models import Article, Comment, ReactionKind


class ArticleInteractionsViewSet(viewsets.GenericViewSet):
    """The interaction actions of ArticleViewSet, which scopes the article to the user."""

    ordering: tuple[str, ...] = ("-created_at", "-id")

    def _article(self) -> Article:
        raise NotImplementedError

    @extend_schema(
        methods=["get"], responses=s.CommentSerializer(many=True), summary="Comment threads"
    )
    @extend_schema(
        methods=["post"],
        request=s.CommentInput,
        responses={201: s.ReplySerializer, 400: PROBLEM, 403: PROBLEM},
        summary="Comment, or reply to a top-level comment",
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def comments(self, request: Request, slug: str) -> Response:
        article = self._article()
        if request.method == "GET":
            self.ordering = ("created_at", "id")
            page = self.paginate_queryset(selectors.comment_threads(article=article))
            return self.get_paginated_response(s.CommentSerializer(page, many=True).data)
        data = s.CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        if data.validated_data["parent"] is not None:
            parent = Comment.objects.filter(pk=data.validated_data["parent"]).first()
            if parent is None:
                return problem(
                    400,
                    "No such comment.",
                    "invalid",
                    errors=[{"field": "parent", "code": "invalid", "message": "No such comment."}],
                )
        comment = services.comment_create(
            article=article,
            author=authenticated_user(request),
            body=data.validated_data["body"],
            parent=parent,
        )
        return Response(s.ReplySerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["patch"],
        request=s.CommentEditInput,
        responses={200: s.ReplySerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM},
        summary="Edit your comment",
    )
    @extend_schema(
        methods=["delete"],
        responses={204: None, 403: PROBLEM, 404: PROBLEM},
        summary="Remove a comment (its author, or a mentor)",
    )
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"comments/(?P<comment_id>\d+)",
        url_name="comment",
        filterset_class=None,
        pagination_class=None,
    )
    def comment(self, request: Request, slug: str, comment_id: str) -> Response:
        article = self._article()
        comment = (
            Comment.objects.select_related("author")
            .filter(pk=int(comment_id), article=article)
            .first()
        )
        if comment is None:
            raise Http404
        user = authenticated_user(request)
        if request.method == "DELETE":
            services.comment_remove(comment=comment, actor=user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = s.CommentEditInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_update(
            actor=user, comment=comment, body=data.validated_data["body"]
        )
        return Response(s.ReplySerializer(comment).data)

    @extend_schema(methods=["get"], responses=s.ReactionsSerializer)
    @extend_schema(
        methods=["post"], request=s.ReactionInput, responses={200: s.ReactionsSerializer}
    )
    @extend_schema(
        methods=["delete"],
        parameters=[OpenApiParameter("kind", str, enum=ReactionKind.values)],
        responses={200: s.ReactionsSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post", "delete"],
        filterset_class=None,
        pagination_class=None,
    )
    def reactions(self, request: Request, slug: str) -> Response:
        article = self._article()
        if request.method != "GET":
            user = authenticated_user(request)
            if request.method == "POST":
                data = s.ReactionInput(data=request.data)
                data.is_valid(raise_exception=True)
                services.reaction_add(article=article, user=user, **data.validated_data)
            else:
                data = s.ReactionInput(data=request.query_params.dict())
                data.is_valid(raise_exception=True)
                services.reaction_remove(article=article, user=user, **data.validated_data)
            article.refresh_from_db(fields=["helpful_count"])
        mine = []
        if request.user.is_authenticated:
            mine = list(article.reactions.filter(user=request.user).values_list("kind", flat=True))
        return Response({"helpful": article.helpful_count, "mine": mine})

    @extend_schema(
        methods=["get", "put", "delete"],
        request=None,
        responses={200: s.BookmarkStateSerializer},  # DELETE too: it answers the new state
    )
    @action(
        detail=True,
        methods=["get", "put", "delete"],
        filterset_class=None,
        pagination_class=None,
        permission_classes=(permissions.IsAuthenticated,),
    )
    def bookmark(self, request: Request, slug: str) -> Response:
        """Whether the article is on your reading list; PUT adds it, DELETE removes it."""
        article = self._article()
        user = authenticated_user(request)
        if request.method == "PUT":
            services.bookmark_add(article=article, user=user)
        elif request.method == "DELETE":
            services.bookmark_remove(article=article, user=user)
        return Response({"bookmarked": selectors.user_bookmarked(article=article, user=user)})
