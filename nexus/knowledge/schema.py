"""GraphQL for the knowledge base: the same reads and writes as the REST API."""

from typing import Any, cast

import strawberry
import strawberry_django
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from strawberry.types import Info
from strawberry_django.permissions import IsAuthenticated

from nexus.accounts.schema import UserType
from nexus.core.graphql import FieldError, field_errors_from
from nexus.knowledge import models, selectors, services
from nexus.knowledge.filters import ArticleFilter
from nexus.knowledge.policies import (
    can_create_path,
    can_edit_article,
    can_edit_comment,
    can_interact,
    can_manage_technologies,
    can_remove_comment,
    can_view_article,
)

MAX_PAGE = 100


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

    @strawberry_django.field(prefetch_related=["tags"])
    def tags(self, root: models.Article) -> list[str]:
        return [tag.name for tag in root.tags.all()]

    @strawberry_django.field(description="Newest first.")
    def revisions(self, root: models.Article, limit: int = 20) -> list[RevisionType]:
        revisions = selectors.revision_list(article=root)[: min(limit, MAX_PAGE)]
        return cast(list[RevisionType], list(revisions))

    @strawberry_django.field(description="Top-level comments with their replies.")
    def comments(self, root: models.Article, limit: int = 50) -> list[CommentType]:
        threads = selectors.comment_threads(article=root)[: min(limit, MAX_PAGE)]
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

    @strawberry.field
    def steps(self, root: models.LearningPath) -> list[PathStepType]:
        return cast(list[PathStepType], list(root.steps.all()))


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


def _forbidden() -> list[FieldError]:
    return [FieldError(field="__all__", message="You may not do this.", code="permission_denied")]


def _not_found() -> list[FieldError]:
    return [FieldError(field="slug", message="No such article.", code="not_found")]


def _visible(info: Info, slug: str) -> models.Article | None:
    article = selectors.article_find(slug=slug)
    if article is None or not can_view_article(info.context.request.user, article):
        return None
    return article


def _article_result(article: models.Article) -> ArticlePayload:
    fresh = selectors.article_find(slug=article.slug) or article
    return ArticlePayload(article=cast(ArticleType, fresh))


def _stale(conflict: services.ArticleVersionConflict) -> ArticlePayload:
    message = f"The article is now at version {conflict.current.version}; merge and retry."
    return ArticlePayload(
        errors=[FieldError(field="version", message=message, code="stale_version")],
        current_version=conflict.current.version,
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
        return cast(ArticleType | None, _visible(info, slug))

    @strawberry_django.field
    def article_diff(
        self, info: Info, slug: str, from_revision: int, to_revision: int
    ) -> DiffType | None:
        article = _visible(info, slug)
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


@strawberry.type
class Mutation:
    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def create_article(self, info: Info, data: ArticleInput) -> ArticlePayload:
        try:
            fields: dict[str, Any] = strawberry.asdict(data)
            article = services.article_create(author=info.context.request.user, **fields)
        except ValidationError as exc:
            return ArticlePayload(errors=field_errors_from(exc))
        return _article_result(article)

    @strawberry_django.mutation(
        extensions=[IsAuthenticated()],
        handle_django_errors=False,
        description="Save changes made on top of `version`; a stale version is refused.",
    )
    def update_article(
        self, info: Info, slug: str, version: int, data: ArticleChangesInput
    ) -> ArticlePayload:
        user = info.context.request.user
        article = _visible(info, slug)
        if article is None:
            return ArticlePayload(errors=_not_found())
        if not can_edit_article(user, article):
            return ArticlePayload(errors=_forbidden())
        changes: dict[str, Any] = {
            k: v
            for k, v in strawberry.asdict(data).items()
            if v is not strawberry.UNSET and v is not None
        }
        message = str(changes.pop("message", None) or "")
        try:
            saved = services.article_update(
                article=article, editor=user, expected_version=version, message=message, **changes
            )
        except services.ArticleVersionConflict as conflict:
            return _stale(conflict)
        except ValidationError as exc:
            return ArticlePayload(errors=field_errors_from(exc))
        return _article_result(saved)

    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def archive_article(self, info: Info, slug: str) -> ArticlePayload:
        user = info.context.request.user
        article = _visible(info, slug)
        if article is None:
            return ArticlePayload(errors=_not_found())
        if not can_edit_article(user, article):
            return ArticlePayload(errors=_forbidden())
        return _article_result(services.article_archive(article=article, editor=user))

    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def revert_article(
        self, info: Info, slug: str, revision: int, version: int | None = None
    ) -> ArticlePayload:
        user = info.context.request.user
        article = _visible(info, slug)
        if article is None:
            return ArticlePayload(errors=_not_found())
        if not can_edit_article(user, article):
            return ArticlePayload(errors=_forbidden())
        try:
            saved = services.article_revert(
                article=article, editor=user, number=revision, expected_version=version
            )
        except services.ArticleVersionConflict as conflict:
            return _stale(conflict)
        except ValidationError as exc:
            return ArticlePayload(errors=field_errors_from(exc))
        return _article_result(saved)

    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def set_helpful(self, info: Info, slug: str, helpful: bool) -> ArticlePayload:
        user = info.context.request.user
        article = _visible(info, slug)
        if article is None:
            return ArticlePayload(errors=_not_found())
        if not can_interact(user, article):
            return ArticlePayload(errors=_forbidden())
        try:
            if helpful:
                services.reaction_add(article=article, user=user)
            else:
                services.reaction_remove(article=article, user=user)
        except ValidationError as exc:
            return ArticlePayload(errors=field_errors_from(exc))
        return _article_result(article)

    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def set_bookmark(self, info: Info, slug: str, bookmarked: bool) -> ArticlePayload:
        user = info.context.request.user
        article = _visible(info, slug)
        if article is None:
            return ArticlePayload(errors=_not_found())
        if bookmarked:
            services.bookmark_add(article=article, user=user)
        else:
            services.bookmark_remove(article=article, user=user)
        return _article_result(article)

    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def add_comment(
        self, info: Info, slug: str, body: str, parent: strawberry.ID | None = None
    ) -> CommentPayload:
        user = info.context.request.user
        article = _visible(info, slug)
        if article is None:
            return CommentPayload(errors=_not_found())
        if not can_interact(user, article):
            return CommentPayload(errors=_forbidden())
        parent_comment = None
        if parent is not None:
            parent_comment = models.Comment.objects.filter(pk=parent).first()
            if parent_comment is None:
                return CommentPayload(
                    errors=[FieldError(field="parent", message="No such comment.", code="invalid")]
                )
        try:
            comment = services.comment_create(
                article=article, author=user, body=body, parent=parent_comment
            )
        except ValidationError as exc:
            return CommentPayload(errors=field_errors_from(exc))
        return CommentPayload(comment=cast(CommentType, comment))

    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def edit_comment(self, info: Info, id: strawberry.ID, body: str) -> CommentPayload:
        comment = models.Comment.objects.filter(pk=id).select_related("article").first()
        user = info.context.request.user
        if comment is None or not can_view_article(user, comment.article):
            return CommentPayload(
                errors=[FieldError(field="id", message="No such comment.", code="not_found")]
            )
        if not can_edit_comment(user, comment):
            return CommentPayload(errors=_forbidden())
        try:
            comment = services.comment_update(comment=comment, body=body)
        except ValidationError as exc:
            return CommentPayload(errors=field_errors_from(exc))
        return CommentPayload(comment=cast(CommentType, comment))

    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def remove_comment(self, info: Info, id: strawberry.ID) -> CommentPayload:
        comment = models.Comment.objects.filter(pk=id).select_related("article").first()
        user = info.context.request.user
        if comment is None or not can_view_article(user, comment.article):
            return CommentPayload(
                errors=[FieldError(field="id", message="No such comment.", code="not_found")]
            )
        if not can_remove_comment(user, comment):
            return CommentPayload(errors=_forbidden())
        return CommentPayload(
            comment=cast(CommentType, services.comment_remove(comment=comment, actor=user))
        )

    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def create_technology(
        self,
        info: Info,
        name: str,
        category: str,
        description: str = "",
        related: list[str] | None = None,
    ) -> TechnologyPayload:
        if not can_manage_technologies(info.context.request.user):
            return TechnologyPayload(errors=_forbidden())
        try:
            technology = services.technology_create(
                name=name, category=category, description=description, related=related or []
            )
        except ValidationError as exc:
            return TechnologyPayload(errors=field_errors_from(exc))
        return TechnologyPayload(technology=cast(TechnologyType, technology))

    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def create_learning_path(
        self, info: Info, title: str, articles: list[str], description: str = ""
    ) -> LearningPathPayload:
        user = info.context.request.user
        if not can_create_path(user):
            return LearningPathPayload(errors=_forbidden())
        try:
            path = services.learning_path_create(
                author=user, title=title, description=description, articles=articles
            )
        except ValidationError as exc:
            return LearningPathPayload(errors=field_errors_from(exc))
        fresh = selectors.path_get(slug=path.slug, user=user)
        return LearningPathPayload(path=cast(LearningPathType, fresh))

    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def mark_path_step(
        self, info: Info, path: str, article: str, done: bool = True
    ) -> LearningPathPayload:
        user = info.context.request.user
        learning_path = selectors.path_get(slug=path, user=user)
        target = models.Article.objects.filter(slug=article).first()
        if learning_path is None or target is None:
            return LearningPathPayload(
                errors=[
                    FieldError(field="article", message="Not part of the path.", code="invalid")
                ]
            )
        try:
            services.path_step_mark(user=user, path=learning_path, article=target, done=done)
        except ValidationError as exc:
            return LearningPathPayload(errors=field_errors_from(exc))
        fresh = selectors.path_get(slug=path, user=user)
        return LearningPathPayload(path=cast(LearningPathType, fresh))
