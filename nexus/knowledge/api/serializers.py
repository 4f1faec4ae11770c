"""Input and output shapes of the knowledge REST API (field names fixed by DESIGN.md)."""

from typing import Any

from rest_framework import serializers

from nexus.core.serializers import PagePathField, PrefetchedSlugField, StrictSerializer
from nexus.knowledge.models import (
    Article,
    ArticleKind,
    ArticleRevision,
    ArticleStatus,
    Comment,
    LearningPath,
    LearningPathStep,
    ReactionKind,
    Technology,
)

MAX_BODY_CHARS = 512 * 1024


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class TechnologySerializer(serializers.ModelSerializer):
    category: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = Technology
        fields: tuple[str, ...] = ("slug", "name", "category", "category_name", "description")
        read_only_fields: tuple[str, ...] = fields


class TechnologyDetailSerializer(TechnologySerializer):
    related: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta(TechnologySerializer.Meta):
        fields = (*TechnologySerializer.Meta.fields, "related")
        read_only_fields = fields


class TechnologyInput(StrictSerializer):
    name = serializers.CharField(max_length=80)
    category = serializers.SlugField(max_length=64, help_text="A category slug, e.g. devops.")
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    related = serializers.ListField(
        child=serializers.SlugField(max_length=64), required=False, max_length=20
    )


class ArticleListSerializer(serializers.ModelSerializer):
    """An article in a list: everything but the body, which the detail endpoint returns. Reads
    articles as selectors.article_summaries loads them (taxonomy in plain lists)."""

    technologies: serializers.SlugRelatedField[Any] = PrefetchedSlugField(
        source="technology_list", slug_field="slug", many=True, read_only=True
    )
    tags: serializers.SlugRelatedField[Any] = PrefetchedSlugField(
        source="tag_list", slug_field="name", many=True, read_only=True
    )
    author = AuthorSerializer(read_only=True)
    url = PagePathField("knowledge:article", source="slug")

    class Meta:
        model = Article
        fields: tuple[str, ...] = (
            "slug",
            "title",
            "summary",
            "kind",
            "technologies",
            "tags",
            "status",
            "author",
            "version",
            "reading_minutes",
            "helpful_count",
            "comment_count",
            "bookmark_count",
            "url",
            "created_at",
            "updated_at",
            "published_at",
            "outdated_since",
            "outdated_reason",
        )
        read_only_fields: tuple[str, ...] = fields


class ArticleSerializer(ArticleListSerializer):
    technologies: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    tags: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="name", many=True, read_only=True
    )

    class Meta(ArticleListSerializer.Meta):
        fields = (*ArticleListSerializer.Meta.fields, "body", "body_html", "toc")
        read_only_fields = fields


class ArticleInput(StrictSerializer):
    title = serializers.CharField(max_length=200, allow_blank=True)
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_BODY_CHARS,
        help_text="Markdown, at most 512 KiB.",
    )
    kind = serializers.ChoiceField(choices=ArticleKind.choices, required=False)
    technologies = serializers.ListField(
        child=serializers.SlugField(max_length=64), required=False, help_text="Technology slugs."
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, help_text="Free tags."
    )
    status = serializers.ChoiceField(choices=ArticleStatus.choices, required=False)
    message = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="What changed (history)."
    )


class RevisionSerializer(serializers.ModelSerializer):
    editor = AuthorSerializer(read_only=True)

    class Meta:
        model = ArticleRevision
        fields: tuple[str, ...] = (
            "number",
            "title",
            "summary",
            "kind",
            "status",
            "technology_slugs",
            "tag_names",
            "editor",
            "message",
            "reverted_from",
            "created_at",
        )
        read_only_fields: tuple[str, ...] = fields


class RevisionDetailSerializer(RevisionSerializer):
    class Meta(RevisionSerializer.Meta):
        fields = (*RevisionSerializer.Meta.fields, "body", "body_html")
        read_only_fields = fields


class DiffSerializer(serializers.Serializer):
    from_revision = serializers.IntegerField(read_only=True)
    to_revision = serializers.IntegerField(read_only=True)
    changed = serializers.BooleanField(read_only=True)
    unified = serializers.CharField(read_only=True, help_text="A unified diff of the text.")


class RevertInput(StrictSerializer):
    revision = serializers.IntegerField(min_value=1)
    message = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ReplySerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)
    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    is_removed = serializers.BooleanField(read_only=True)

    class Meta:
        model = Comment
        fields: tuple[str, ...] = (
            "id",
            "parent",
            "author",
            "body",
            "body_html",
            "is_removed",
            "edited_at",
            "created_at",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_body(self, comment: Comment) -> str:
        return "" if comment.is_removed else comment.body

    def get_body_html(self, comment: Comment) -> str:
        return "" if comment.is_removed else comment.body_html


class CommentSerializer(ReplySerializer):
    replies = ReplySerializer(many=True, read_only=True)

    class Meta(ReplySerializer.Meta):
        fields = (*ReplySerializer.Meta.fields, "replies")
        read_only_fields = fields


class CommentInput(StrictSerializer):
    body = serializers.CharField(max_length=20_000)
    # Declared fields leave the class body (DRF's metaclass), so this does not shadow .parent.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False, allow_null=True, default=None
    )


class CommentEditInput(StrictSerializer):
    body = serializers.CharField(max_length=20_000)


class ReactionsSerializer(serializers.Serializer):
    helpful = serializers.IntegerField(read_only=True)
    mine = serializers.ListField(child=serializers.CharField(), read_only=True)


class ReactionInput(StrictSerializer):
    kind = serializers.ChoiceField(choices=ReactionKind.choices, default=ReactionKind.HELPFUL)


class BookmarkStateSerializer(serializers.Serializer):
    bookmarked = serializers.BooleanField(read_only=True)


class BookmarkSerializer(serializers.Serializer):
    article = ArticleListSerializer(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class PathStepSerializer(serializers.ModelSerializer):
    article: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    title = serializers.CharField(source="article.title", read_only=True)
    done = serializers.SerializerMethodField()

    class Meta:
        model = LearningPathStep
        fields = ("position", "article", "title", "done")
        read_only_fields = fields

    def get_done(self, step: Any) -> bool | None:
        """Whether the signed-in learner has done it; null for anonymous readers."""
        return getattr(step, "done", None)


class LearningPathSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)
    step_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = LearningPath
        fields: tuple[str, ...] = (
            "slug",
            "title",
            "description",
            "author",
            "step_count",
            "created_at",
            "updated_at",
        )
        read_only_fields: tuple[str, ...] = fields


class LearningPathDetailSerializer(LearningPathSerializer):
    steps = PathStepSerializer(many=True, read_only=True)

    class Meta(LearningPathSerializer.Meta):
        fields = (*LearningPathSerializer.Meta.fields, "steps")
        read_only_fields = fields


class LearningPathInput(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    articles = serializers.ListField(
        child=serializers.SlugField(max_length=120),
        required=False,
        max_length=100,
        help_text="Article slugs, in order.",
    )


class ProgressInput(StrictSerializer):
    article = serializers.SlugField(max_length=120)
    done = serializers.BooleanField(default=True)
