"""GraphQL types, inputs and payloads of the knowledge base."""

from typing import Any, cast

import strawberry
import strawberry_django
from strawberry.types import Info

from nexus.accounts.schema import UserType
from nexus.core.graphql import FieldError
from nexus.knowledge import models, selectors, services
from nexus.knowledge.policies import (
    can_view_article,
)

MAX_PAGE = 100


def _page(limit: int) -> int:
    """A requested list length within 0..MAX_PAGE (a negative slice of a query is an error)."""
    return max(0, min(limit, MAX_PAGE))


@strawberry_django.type(models.Technology, name="Technology")
class TechnologyType:
    slug: strawberry.auto
    name: strawberry.auto
    description: strawberry.auto
    related: list["TechnologyType"]

    @strawberry_django.field(select_related=["category"], description="The category's slug.")
    def category(self, root: models.Technology) -> str:
        return root.category.slug

    @strawberry_django.field(select_related=["category"])
    def category_name(self, root: models.Technology) -> str:
        return root.category.name


@strawberry_django.type(models.ArticleRevision, name="ArticleRevision")
class RevisionType:
    number: strawberry.auto
    title: strawberry.auto
    summary: strawberry.auto
    body: strawberry.auto
    body_html: strawberry.auto
    kind: strawberry.auto
    status: strawberry.auto
    editor: UserType
    message: strawberry.auto
    reverted_from: strawberry.auto
    created_at: strawberry.auto


@strawberry_django.type(models.Comment, name="Comment")
class CommentType:
    id: strawberry.auto
    author: UserType
    edited_at: strawberry.auto
    created_at: strawberry.auto
    replies: list["CommentType"]

    @strawberry_django.field(only=["body", "removed_at"])
    def body(self, root: models.Comment) -> str:
        return "" if root.is_removed else root.body

    @strawberry_django.field(only=["body_html", "removed_at"])
    def body_html(self, root: models.Comment) -> str:
        return "" if root.is_removed else root.body_html

    @strawberry_django.field(only=["removed_at"])
    def is_removed(self, root: models.Comment) -> bool:
        return root.is_removed


@strawberry_django.type(models.Article, name="Article")
class ArticleType:
    slug: strawberry.auto
    title: strawberry.auto
    summary: strawberry.auto
    body: strawberry.auto
    body_html: strawberry.auto
    kind: strawberry.auto
    status: strawberry.auto
    author: UserType
    technologies: list[TechnologyType]
    version: strawberry.auto
    reading_minutes: strawberry.auto
    helpful_count: strawberry.auto
    comment_count: strawberry.auto
    bookmark_count: strawberry.auto
    created_at: strawberry.auto
    updated_at: strawberry.auto
    published_at: strawberry.auto
    outdated_since: strawberry.auto
    outdated_reason: strawberry.auto

    @strawberry_django.field(prefetch_related=["tags"])
    def tags(self, root: models.Article) -> list[str]:
        return [tag.name for tag in root.tags.all()]

    @strawberry_django.field(description="Newest first.")
    def revisions(self, root: models.Article, limit: int = 20) -> list[RevisionType]:
        revisions = selectors.revision_list(article=root)[: _page(limit)]
        return cast(list[RevisionType], list(revisions))

    @strawberry_django.field(description="Top-level comments with their replies.")
    def comments(self, root: models.Article, limit: int = 50) -> list[CommentType]:
        threads = selectors.comment_threads(article=root)[: _page(limit)]
        return cast(list[CommentType], list(threads))

    @strawberry_django.field(description="Published articles that link here with [[slug]].")
    def linked_from(self, root: models.Article) -> list["ArticleType"]:
        return cast(list[ArticleType], list(selectors.articles_linking_to(article=root)))


@strawberry.type(name="RevisionDiff")
class DiffType:
    from_revision: int
    to_revision: int
    changed: bool
    unified: str


@strawberry_django.type(models.LearningPathStep, name="LearningPathStep")
class PathStepType:
    position: strawberry.auto
    article: ArticleType

    @strawberry.field(description="Whether you have done it; null when signed out.")
    def done(self, root: Any) -> bool | None:
        return getattr(root, "done", None)


@strawberry_django.type(models.LearningPath, name="LearningPath")
class LearningPathType:
    slug: strawberry.auto
    title: strawberry.auto
    description: strawberry.auto
    author: UserType
    created_at: strawberry.auto

    @strawberry.field(description="In order; a step whose article you may not see is left out.")
    def steps(self, root: models.LearningPath, info: Info) -> list[PathStepType]:
        # learningPath's steps come scoped from selectors.path_get; learningPaths' do not.
        user = info.context.request.user
        steps = [step for step in root.steps.all() if can_view_article(user, step.article)]
        return cast(list[PathStepType], steps)


@strawberry.input
class ArticleFilterInput:
    kind: str | None = None
    status: str | None = None
    technology: str | None = None
    tag: str | None = None
    author: strawberry.ID | None = None
    search: str | None = None


@strawberry.input
class ArticleInput:
    title: str
    body: str = ""
    summary: str = ""
    kind: str = models.ArticleKind.CONCEPT
    technologies: list[str] = strawberry.field(default_factory=list)
    tags: list[str] = strawberry.field(default_factory=list)
    status: str = models.ArticleStatus.DRAFT
    message: str = ""


@strawberry.input
class ArticleChangesInput:
    title: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    kind: str | None = strawberry.UNSET
    technologies: list[str] | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    status: str | None = strawberry.UNSET
    message: str | None = strawberry.UNSET


@strawberry.type
class ArticlePayload:
    article: ArticleType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)
    current_version: int | None = strawberry.field(
        default=None, description="Set when the save was refused as stale."
    )


@strawberry.type
class CommentPayload:
    comment: CommentType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class TechnologyPayload:
    technology: TechnologyType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class LearningPathPayload:
    path: LearningPathType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


def visible_article(info: Info, slug: str) -> models.Article | None:
    article = selectors.article_find(slug=slug)
    if article is None or not can_view_article(info.context.request.user, article):
        return None
    return article


def article_result(article: models.Article) -> ArticlePayload:
    fresh = selectors.article_find(slug=article.slug) or article
    return ArticlePayload(article=cast(ArticleType, fresh))


def stale_result(conflict: services.ArticleVersionConflict) -> ArticlePayload:
    message = f"The article is now at version {conflict.current.version}; merge and retry."
    return ArticlePayload(
        errors=[FieldError(field="version", message=message, code="stale_version")],
        current_version=conflict.current.version,
    )
