"""GraphQL queries of the knowledge base."""

from typing import cast

import strawberry
import strawberry_django
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from strawberry.types import Info
from strawberry_django.permissions import IsAuthenticated

from nexus.knowledge import models, selectors
from nexus.knowledge.filters import ArticleFilter
from nexus.knowledge.schema.types import (
    MAX_PAGE,
    ArticleFilterInput,
    ArticleType,
    DiffType,
    LearningPathType,
    TechnologyType,
    visible_article,
)


@strawberry.type
class Query:
    @strawberry_django.field
    def technologies(self, category: str | None = None) -> list[TechnologyType]:
        queryset = selectors.technology_list()
        if category:
            queryset = queryset.filter(category__slug=category)
        return cast(list[TechnologyType], queryset)

    @strawberry_django.field
    def technology(self, slug: str) -> TechnologyType | None:
        return cast(TechnologyType | None, selectors.technology_get(slug=slug))

    @strawberry_django.field(description="Published articles unless `filter.status` says else.")
    def articles(
        self,
        info: Info,
        filter: ArticleFilterInput | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[ArticleType]:
        data = {k: v for k, v in strawberry.asdict(filter).items() if v} if filter else {}
        filterset = ArticleFilter(
            data, queryset=selectors.article_list(user=info.context.request.user)
        )
        if not filterset.is_valid():
            raise ValidationError(filterset.errors.get_json_data())
        queryset: QuerySet[models.Article] = filterset.qs.order_by("-created_at", "-id")
        start = max(offset, 0)
        return cast(list[ArticleType], queryset[start : start + min(max(limit, 0), MAX_PAGE)])

    @strawberry_django.field
    def article(self, info: Info, slug: str) -> ArticleType | None:
        return cast(ArticleType | None, visible_article(info, slug))

    @strawberry_django.field
    def article_diff(
        self, info: Info, slug: str, from_revision: int, to_revision: int
    ) -> DiffType | None:
        article = visible_article(info, slug)
        if article is None:
            return None
        old = selectors.revision_get(article=article, number=from_revision)
        new = selectors.revision_get(article=article, number=to_revision)
        if old is None or new is None:
            return None
        diff = selectors.revision_diff(old=old, new=new)
        return DiffType(
            from_revision=old.number,
            to_revision=new.number,
            changed=diff.changed,
            unified=diff.unified,
        )

    @strawberry_django.field
    def learning_paths(self, limit: int = 20, offset: int = 0) -> list[LearningPathType]:
        queryset = selectors.path_list().order_by("-created_at", "-id")
        start = max(offset, 0)
        return cast(list[LearningPathType], queryset[start : start + min(max(limit, 0), MAX_PAGE)])

    @strawberry_django.field
    def learning_path(self, info: Info, slug: str) -> LearningPathType | None:
        path = selectors.path_get(slug=slug, user=info.context.request.user)
        return cast(LearningPathType | None, path if path and path.is_published else None)

    @strawberry_django.field(extensions=[IsAuthenticated()])
    def bookmarks(self, info: Info, limit: int = 20, offset: int = 0) -> list[ArticleType]:
        bookmarks = selectors.bookmark_list(user=info.context.request.user)
        start = max(offset, 0)
        page = bookmarks[start : start + min(max(limit, 0), MAX_PAGE)]
        return cast(list[ArticleType], [bookmark.article for bookmark in page])
