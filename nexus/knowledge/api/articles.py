"""/api/v1/articles/: articles with ETag / If-Match, history, revert, and interactions."""

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.core import conditional
from nexus.core.auth import authenticated_user
from nexus.core.pagecache import PublicReads
from nexus.knowledge import selectors, services
from nexus.knowledge.api import serializers as s
from nexus.knowledge.api.common import PROBLEM, problem
from nexus.knowledge.api.interactions import ArticleInteractionsViewSet
from nexus.knowledge.filters import ArticleFilter
from nexus.knowledge.models import Article
from nexus.knowledge.policies import can_edit_article, can_view_article

WRITE_ERRORS = {400: PROBLEM, 403: PROBLEM, 404: PROBLEM, **conditional.PRECONDITION_RESPONSES}
ARTICLE_EXAMPLE = OpenApiExample(
    "A guide",
    value={
        "title": "Retrying Celery tasks",
        "summary": "When and how to retry.",
        "body": "## Why\n\nNetworks fail. Use `autoretry_for`.",
        "kind": "guide",
        "technologies": ["celery", "rabbitmq"],
        "tags": ["reliability"],
        "status": "published",
    },
    request_only=True,
)


def _stale(conflict: services.ArticleVersionConflict) -> conditional.PreconditionFailed:
    """A save that lost the race for its version: the same 412 as a stale If-Match."""
    return conditional.PreconditionFailed(current_etag=conditional.etag_for(conflict.current))


@extend_schema_view(
    list=extend_schema(
        summary="List articles",
        description="Published articles unless `status` asks for drafts or archived ones "
        "(yours, or all for mentors). Bodies are left out of lists.",
    ),
    retrieve=extend_schema(
        summary="One article, with its ETag",
        parameters=[conditional.IF_NONE_MATCH],
        responses={200: s.ArticleSerializer, **conditional.NOT_MODIFIED_RESPONSE},
    ),
)
@extend_schema(tags=["articles"])
class ArticleViewSet(PublicReads, ArticleInteractionsViewSet):
    public_cache_groups = ("knowledge", "people")
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    permission_classes = (permissions.IsAuthenticatedOrReadOnly,)
    filterset_class = ArticleFilter
    ordering_fields = ("created_at", "updated_at", "published_at", "title")
    ordering: tuple[str, ...] = ("-created_at", "-id")
    serializer_class = s.ArticleSerializer

    def get_queryset(self) -> QuerySet[Article]:
        if getattr(self, "swagger_fake_view", False):
            return Article.objects.none()
        return selectors.article_list(user=self.request.user)

    def _article(self) -> Article:
        """The article of the URL, scoped to what the user may see (404 otherwise)."""
        article = selectors.article_find(slug=self.kwargs["slug"])
        if article is None or not can_view_article(self.request.user, article):
            raise Http404
        return article

    def _editable(self) -> Article:
        """The article of the URL, 403 for one the user may not edit (the service refuses too):
        answered before the If-Match check, so a refusal is never a 428 or a 412 with an ETag."""
        article = self._article()
        if not can_edit_article(self.request.user, article):
            self.permission_denied(self.request, message="Only the author or a mentor may edit.")
        return article

    @extend_schema(responses=s.ArticleListSerializer(many=True))
    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(selectors.article_summaries(user=request.user))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.ArticleListSerializer(page, many=True).data)

    def retrieve(self, request: Request, slug: str) -> Response:
        article = self._article()
        return conditional.read_response(
            request, article, lambda: s.ArticleSerializer(article).data
        )

    @extend_schema(
        request=s.ArticleInput,
        responses={201: s.ArticleSerializer, 400: PROBLEM},
        examples=[ARTICLE_EXAMPLE],
    )
    def create(self, request: Request) -> Response:
        data = s.ArticleInput(data=request.data)
        data.is_valid(raise_exception=True)
        article = services.article_create(author=authenticated_user(request), **data.validated_data)
        article = selectors.article_find(slug=article.slug) or article
        response = Response(s.ArticleSerializer(article).data, status=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(f"/api/v1/articles/{article.slug}/")
        return conditional.with_etag(response, article)

    @extend_schema(
        request=s.ArticleInput,
        responses={200: s.ArticleSerializer, **WRITE_ERRORS},
        parameters=[conditional.IF_MATCH],
        examples=[ARTICLE_EXAMPLE],
    )
    def update(self, request: Request, slug: str) -> Response:
        return self._save(request, partial=False)

    @extend_schema(
        request=s.ArticleInput,
        responses={200: s.ArticleSerializer, **WRITE_ERRORS},
        parameters=[conditional.IF_MATCH],
    )
    def partial_update(self, request: Request, slug: str) -> Response:
        return self._save(request, partial=True)

    def _save(self, request: Request, *, partial: bool) -> Response:
        article = self._editable()
        conditional.check_if_match(conditional.if_match(request), article)
        data = s.ArticleInput(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        message = changes.pop("message", "")
        try:
            saved = services.article_update(
                article=article,
                editor=authenticated_user(request),
                expected_version=article.version,
                message=message,
                **changes,
            )
        except services.ArticleVersionConflict as conflict:
            raise _stale(conflict) from conflict
        fresh = selectors.article_find(slug=saved.slug) or saved
        return conditional.with_etag(Response(s.ArticleSerializer(fresh).data), fresh)

    @extend_schema(
        summary="Archive an article (soft delete; its history is kept)",
        parameters=[conditional.IF_MATCH],
        responses={204: None, 403: PROBLEM, 404: PROBLEM, **conditional.PRECONDITION_RESPONSES},
    )
    def destroy(self, request: Request, slug: str) -> Response:
        article = self._editable()
        conditional.check_if_match(conditional.if_match(request), article)
        try:
            services.article_archive(article=article, editor=authenticated_user(request))
        except services.ArticleVersionConflict as conflict:
            raise _stale(conflict) from conflict
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=s.RevisionSerializer(many=True), summary="Revision history")
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=None)
    def revisions(self, request: Request, slug: str) -> Response:
        article = self._article()
        self.ordering = ("-number",)
        page = self.paginate_queryset(selectors.revision_list(article=article))
        return self.get_paginated_response(s.RevisionSerializer(page, many=True).data)

    @extend_schema(responses={200: s.RevisionDetailSerializer, 404: PROBLEM})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"revisions/(?P<number>\d+)",
        url_name="revision",
        filterset_class=None,
        ordering_fields=None,
        pagination_class=None,
    )
    def revision(self, request: Request, slug: str, number: str) -> Response:
        article = self._article()
        revision = selectors.revision_get(article=article, number=int(number))
        if revision is None:
            raise Http404
        return Response(s.RevisionDetailSerializer(revision).data)

    @extend_schema(
        summary="The difference between two revisions",
        parameters=[
            OpenApiParameter("from", int, required=True, description="Older revision number."),
            OpenApiParameter("to", int, required=True, description="Newer revision number."),
        ],
        responses={200: s.DiffSerializer, 400: PROBLEM, 404: PROBLEM},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def diff(self, request: Request, slug: str) -> Response:
        article = self._article()
        numbers = {}
        for name in ("from", "to"):
            value = request.query_params.get(name, "")
            if not value.isdigit():
                return problem(
                    400,
                    "Give two revision numbers.",
                    "invalid",
                    errors=[{"field": name, "code": "invalid", "message": "A revision number."}],
                )
            numbers[name] = int(value)
        old = selectors.revision_get(article=article, number=numbers["from"])
        new = selectors.revision_get(article=article, number=numbers["to"])
        if old is None or new is None:
            raise Http404
        diff = selectors.revision_diff(old=old, new=new)
        body = {
            "from_revision": old.number,
            "to_revision": new.number,
            "changed": diff.changed,
            "unified": diff.unified,
        }
        return Response(body)

    @extend_schema(request=None, responses=s.ArticleSerializer)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def review(self, request: Request, slug: str) -> Response:
        """The author (or a mentor/admin) confirms the article is still right: clears the
        "may be outdated" flag. Editing the body never clears it."""
        article = self._editable()
        services.article_mark_reviewed(article=article, actor=authenticated_user(request))
        fresh = selectors.article_find(slug=article.slug) or article
        return conditional.with_etag(Response(s.ArticleSerializer(fresh).data), fresh)

    @extend_schema(
        summary="Revert to a revision (recorded as a new revision)",
        request=s.RevertInput,
        parameters=[conditional.IF_MATCH],
        responses={200: s.ArticleSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def revert(self, request: Request, slug: str) -> Response:
        article = self._editable()
        conditional.check_if_match(conditional.if_match(request), article)
        data = s.RevertInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            saved = services.article_revert(
                article=article,
                editor=authenticated_user(request),
                number=data.validated_data["revision"],
                expected_version=article.version,
                message=data.validated_data.get("message", ""),
            )
        except services.ArticleVersionConflict as conflict:
            raise _stale(conflict) from conflict
        fresh = selectors.article_find(slug=saved.slug) or saved
        return conditional.with_etag(Response(s.ArticleSerializer(fresh).data), fresh)
