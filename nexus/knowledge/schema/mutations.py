"""GraphQL mutations of the knowledge base: the object, or typed errors."""

from typing import Any, cast

import strawberry
import strawberry_django
from django.core.exceptions import ValidationError
from strawberry.types import Info
from strawberry_django.permissions import IsAuthenticated

from nexus.core.graphql import FieldError, field_errors_from
from nexus.knowledge import models, selectors, services
from nexus.knowledge.policies import (
    can_create_path,
    can_edit_article,
    can_edit_comment,
    can_interact,
    can_manage_technologies,
    can_remove_comment,
    can_view_article,
)
from nexus.knowledge.schema.types import (
    ArticleChangesInput,
    ArticleInput,
    ArticlePayload,
    CommentPayload,
    CommentType,
    LearningPathPayload,
    LearningPathType,
    TechnologyPayload,
    TechnologyType,
    article_result,
    forbidden,
    not_found,
    stale_result,
    visible_article,
)


@strawberry.type
class Mutation:
    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def create_article(self, info: Info, data: ArticleInput) -> ArticlePayload:
        try:
            fields: dict[str, Any] = strawberry.asdict(data)
            article = services.article_create(author=info.context.request.user, **fields)
        except ValidationError as exc:
            return ArticlePayload(errors=field_errors_from(exc))
        return article_result(article)

    @strawberry_django.mutation(
        extensions=[IsAuthenticated()],
        handle_django_errors=False,
        description="Save changes made on top of `version`; a stale version is refused.",
    )
    def update_article(
        self, info: Info, slug: str, version: int, data: ArticleChangesInput
    ) -> ArticlePayload:
        user = info.context.request.user
        article = visible_article(info, slug)
        if article is None:
            return ArticlePayload(errors=not_found())
        if not can_edit_article(user, article):
            return ArticlePayload(errors=forbidden())
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
            return stale_result(conflict)
        except ValidationError as exc:
            return ArticlePayload(errors=field_errors_from(exc))
        return article_result(saved)

    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def archive_article(self, info: Info, slug: str) -> ArticlePayload:
        user = info.context.request.user
        article = visible_article(info, slug)
        if article is None:
            return ArticlePayload(errors=not_found())
        if not can_edit_article(user, article):
            return ArticlePayload(errors=forbidden())
        return article_result(services.article_archive(article=article, editor=user))

    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def revert_article(
        self, info: Info, slug: str, revision: int, version: int | None = None
    ) -> ArticlePayload:
        user = info.context.request.user
        article = visible_article(info, slug)
        if article is None:
            return ArticlePayload(errors=not_found())
        if not can_edit_article(user, article):
            return ArticlePayload(errors=forbidden())
        try:
            saved = services.article_revert(
                article=article, editor=user, number=revision, expected_version=version
            )
        except services.ArticleVersionConflict as conflict:
            return stale_result(conflict)
        except ValidationError as exc:
            return ArticlePayload(errors=field_errors_from(exc))
        return article_result(saved)

    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def set_helpful(self, info: Info, slug: str, helpful: bool) -> ArticlePayload:
        user = info.context.request.user
        article = visible_article(info, slug)
        if article is None:
            return ArticlePayload(errors=not_found())
        if not can_interact(user, article):
            return ArticlePayload(errors=forbidden())
        try:
            if helpful:
                services.reaction_add(article=article, user=user)
            else:
                services.reaction_remove(article=article, user=user)
        except ValidationError as exc:
            return ArticlePayload(errors=field_errors_from(exc))
        return article_result(article)

    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def set_bookmark(self, info: Info, slug: str, bookmarked: bool) -> ArticlePayload:
        user = info.context.request.user
        article = visible_article(info, slug)
        if article is None:
            return ArticlePayload(errors=not_found())
        if bookmarked:
            services.bookmark_add(article=article, user=user)
        else:
            services.bookmark_remove(article=article, user=user)
        return article_result(article)

    @strawberry_django.mutation(extensions=[IsAuthenticated()], handle_django_errors=False)
    def add_comment(
        self, info: Info, slug: str, body: str, parent: strawberry.ID | None = None
    ) -> CommentPayload:
        user = info.context.request.user
        article = visible_article(info, slug)
        if article is None:
            return CommentPayload(errors=not_found())
        if not can_interact(user, article):
            return CommentPayload(errors=forbidden())
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
            return CommentPayload(errors=forbidden())
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
            return CommentPayload(errors=forbidden())
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
            return TechnologyPayload(errors=forbidden())
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
            return LearningPathPayload(errors=forbidden())
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
