"""/api/v1/technologies/, /api/v1/bookmarks/ and /api/v1/paths/."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.core.auth import authenticated_user
from nexus.core.pagecache import PublicReads
from nexus.knowledge import selectors, services
from nexus.knowledge.api import serializers as s
from nexus.knowledge.filters import TechnologyFilter
from nexus.knowledge.models import Article, Bookmark, LearningPath, Technology

PROBLEM = OpenApiResponse(description="application/problem+json")


@extend_schema(tags=["technologies"])
class TechnologyViewSet(PublicReads, viewsets.GenericViewSet):
    """The technology taxonomy; mentors and admins add and edit technologies."""

    public_cache_groups = ("knowledge",)

    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    serializer_class = s.TechnologyDetailSerializer
    filterset_class = TechnologyFilter
    ordering_fields = ("name", "created_at")
    ordering = ("name", "id")

    def get_queryset(self) -> QuerySet[Technology]:
        return selectors.technology_list()

    @extend_schema(responses=s.TechnologySerializer(many=True))
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.TechnologySerializer(page, many=True).data)

    def retrieve(self, request: Request, slug: str) -> Response:
        technology = selectors.technology_get(slug=slug)
        if technology is None:
            raise Http404
        return Response(s.TechnologyDetailSerializer(technology).data)

    @extend_schema(
        request=s.TechnologyInput,
        responses={201: s.TechnologyDetailSerializer, 400: PROBLEM, 403: PROBLEM},
    )
    def create(self, request: Request) -> Response:
        data = s.TechnologyInput(data=request.data)
        data.is_valid(raise_exception=True)
        technology = services.technology_create(
            actor=authenticated_user(request), **data.validated_data
        )
        return Response(
            s.TechnologyDetailSerializer(selectors.technology_get(slug=technology.slug)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=s.TechnologyInput,
        responses={200: s.TechnologyDetailSerializer, 400: PROBLEM, 403: PROBLEM},
    )
    def partial_update(self, request: Request, slug: str) -> Response:
        technology = selectors.technology_get(slug=slug)
        if technology is None:
            raise Http404
        data = s.TechnologyInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.technology_update(
            actor=authenticated_user(request), technology=technology, **data.validated_data
        )
        return Response(s.TechnologyDetailSerializer(selectors.technology_get(slug=slug)).data)


@extend_schema(tags=["articles"])
class BookmarkViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your reading list, newest bookmark first."""

    permission_classes = (permissions.IsAuthenticated,)
    serializer_class = s.BookmarkSerializer
    filter_backends = ()
    ordering = ("-created_at", "-id")

    def get_queryset(self) -> QuerySet[Bookmark]:
        if getattr(self, "swagger_fake_view", False):
            return Bookmark.objects.none()
        return selectors.bookmark_summaries(user=authenticated_user(self.request))


@extend_schema(tags=["paths"])
class LearningPathViewSet(viewsets.GenericViewSet):
    """Learning paths: ordered series of articles, with each learner's progress."""

    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    permission_classes = (permissions.IsAuthenticatedOrReadOnly,)
    serializer_class = s.LearningPathDetailSerializer
    ordering_fields = ("created_at", "title")
    ordering = ("-created_at", "-id")

    def get_queryset(self) -> QuerySet[LearningPath]:
        return selectors.path_list()

    def _path(self, slug: str) -> LearningPath:
        path = selectors.path_get(slug=slug, user=self.request.user)
        if path is None or not path.is_published:
            raise Http404
        return path

    @extend_schema(responses=s.LearningPathSerializer(many=True))
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.LearningPathSerializer(page, many=True).data)

    def retrieve(self, request: Request, slug: str) -> Response:
        return Response(s.LearningPathDetailSerializer(self._path(slug)).data)

    @extend_schema(
        request=s.LearningPathInput,
        responses={201: s.LearningPathDetailSerializer, 400: PROBLEM, 403: PROBLEM},
    )
    def create(self, request: Request) -> Response:
        data = s.LearningPathInput(data=request.data)
        data.is_valid(raise_exception=True)
        path = services.learning_path_create(
            author=authenticated_user(request), **data.validated_data
        )
        body = s.LearningPathDetailSerializer(self._path(path.slug)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.LearningPathInput,
        responses={200: s.LearningPathDetailSerializer, 400: PROBLEM, 403: PROBLEM},
    )
    def partial_update(self, request: Request, slug: str) -> Response:
        path = self._path(slug)
        data = s.LearningPathInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.learning_path_update(
            actor=authenticated_user(request), path=path, **data.validated_data
        )
        return Response(s.LearningPathDetailSerializer(self._path(slug)).data)

    @extend_schema(
        request=s.ProgressInput,
        responses={200: s.LearningPathDetailSerializer, 400: PROBLEM},
        summary="Mark an article of the path done (or not done) for you",
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=(permissions.IsAuthenticated,),
        pagination_class=None,
    )
    def progress(self, request: Request, slug: str) -> Response:
        path = self._path(slug)
        data = s.ProgressInput(data=request.data)
        data.is_valid(raise_exception=True)
        article = Article.objects.filter(slug=data.validated_data["article"]).first()
        if article is None:
            raise ValidationError({"article": ["This article is not part of the path."]})
        services.path_step_mark(
            user=authenticated_user(request),
            path=path,
            article=article,
            done=data.validated_data["done"],
        )
        return Response(s.LearningPathDetailSerializer(self._path(slug)).data)
