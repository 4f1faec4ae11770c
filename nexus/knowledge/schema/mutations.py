"""GraphQL mutations of the knowledge base: the object, or typed errors."""

from typing import Any, cast

import strawberry
import strawberry_django
from django.core.exceptions import ValidationError
from strawberry.types import Info
from strawberry_django.permissions import IsAuthenticated

from nexus.accounts.models import User
from nexus.core.auth import authenticated_user
from nexus.core.graphql import MutationErrors, NotFound, integer_id
from nexus.knowledge import models, selectors, services
from nexus.knowledge.policies import can_view_article
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
    stale_result,
    visible_article,
)


def _user(info: Info) -> User:
    return authenticated_user(info.context.request)


def _visible_article(info: Info, slug: str) -> models.Article:
    article = visible_article(info, slug)
    if article is None:
        raise NotFound(field="slug", message="No such article.")
    return article


def _visible_comment(info: Info, id: strawberry.ID) -> models.Comment:
    comment = models.Comment.objects.filter(pk=integer_id(id)).select_related("article").first()
    if comment is None or not can_view_article(info.context.request.user, comment.article):
        raise NotFound(field="id", message="No such comment.")
    return comment


@strawberry.type
class Mutation:
    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def create_article(self, info: Info, data: ArticleInput) -> ArticlePayload:
        fields: dict[str, Any] = strawberry.asdict(data)
        article = services.article_create(author=_user(info), **fields)
        return article_result(article)

    @strawberry_django.mutation(
        extensions=[MutationErrors(), IsAuthenticated()],
        description="Save changes made on top of `version`; a stale version is refused.",
    )
    def update_article(
        self, info: Info, slug: str, version: int, data: ArticleChangesInput
    ) -> ArticlePayload:
        user = _user(info)
        article = _visible_article(info, slug)
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
        return article_result(saved)

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def archive_article(self, info: Info, slug: str) -> ArticlePayload:
        article = _visible_article(info, slug)
        return article_result(services.article_archive(article=article, editor=_user(info)))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def revert_article(
        self, info: Info, slug: str, revision: int, version: int | None = None
    ) -> ArticlePayload:
        article = _visible_article(info, slug)
        try:
            saved = services.article_revert(
                article=article, editor=_user(info), number=revision, expected_version=version
            )
        except services.ArticleVersionConflict as conflict:
            return stale_result(conflict)
        return article_result(saved)

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def set_helpful(self, info: Info, slug: str, helpful: bool) -> ArticlePayload:
        user = _user(info)
        article = _visible_article(info, slug)
        if helpful:
            services.reaction_add(article=article, user=user)
        else:
            services.reaction_remove(article=article, user=user)
        return article_result(article)

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def set_bookmark(self, info: Info, slug: str, bookmarked: bool) -> ArticlePayload:
        user = _user(info)
        article = _visible_article(info, slug)
        if bookmarked:
            services.bookmark_add(article=article, user=user)
        else:
            services.bookmark_remove(article=article, user=user)
        return article_result(article)

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def add_comment(
        self, info: Info, slug: str, body: str, parent: strawberry.ID | None = None
    ) -> CommentPayload:
        article = _visible_article(info, slug)
        parent_comment = None
        if parent is not None:
            parent_comment = models.Comment.objects.filter(pk=integer_id(parent)).first()
            if parent_comment is None:
                raise NotFound(field="parent", message="No such comment.")
        comment = services.comment_create(
            article=article, author=_user(info), body=body, parent=parent_comment
        )
        return CommentPayload(comment=cast(CommentType, comment))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def edit_comment(self, info: Info, id: strawberry.ID, body: str) -> CommentPayload:
        comment = _visible_comment(info, id)
        comment = services.comment_update(actor=_user(info), comment=comment, body=body)
        return CommentPayload(comment=cast(CommentType, comment))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def remove_comment(self, info: Info, id: strawberry.ID) -> CommentPayload:
        comment = _visible_comment(info, id)
        removed = services.comment_remove(comment=comment, actor=_user(info))
        return CommentPayload(comment=cast(CommentType, removed))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def create_technology(
        self,
        info: Info,
        name: str,
        category: str,
        description: str = "",
        related: list[str] | None = None,
    ) -> TechnologyPayload:
        technology = services.technology_create(
            actor=_user(info),
            name=name,
            category=category,
            description=description,
            related=related or [],
        )
        return TechnologyPayload(technology=cast(TechnologyType, technology))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def create_learning_path(
        self, info: Info, title: str, articles: list[str], description: str = ""
    ) -> LearningPathPayload:
        user = _user(info)
        path = services.learning_path_create(
            author=user, title=title, description=description, articles=articles
        )
        fresh = selectors.path_get(slug=path.slug, user=user)
        return LearningPathPayload(path=cast(LearningPathType, fresh))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def mark_path_step(
        self, info: Info, path: str, article: str, done: bool = True
    ) -> LearningPathPayload:
        user = _user(info)
        learning_path = selectors.path_get(slug=path, user=user)
        target = models.Article.objects.filter(slug=article).first()
        # An unpublished path is not there for learners, as the learningPath query says too.
        if learning_path is None or not learning_path.is_published or target is None:
            raise ValidationError({"article": ValidationError("Not part of the path.")})
        services.path_step_mark(user=user, path=learning_path, article=target, done=done)
        fresh = selectors.path_get(slug=path, user=user)
        return LearningPathPayload(path=cast(LearningPathType, fresh))
