"""Technologies, articles and their history, interactions, and learning paths."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from nexus.core.models import OutdatableModel, TimeStampedModel
from nexus.search.query import words_of


class TechnologyCategory(TimeStampedModel):
    """A group of technologies on the taxonomy page (e.g. "DevOps")."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "name")
        verbose_name_plural = "technology categories"

    def __str__(self) -> str:
        return self.name


class Technology(TimeStampedModel):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=80, unique=True)
    category = models.ForeignKey(
        TechnologyCategory, on_delete=models.PROTECT, related_name="technologies"
    )
    description = models.TextField(max_length=5000, blank=True)
    related = models.ManyToManyField("self", blank=True, symmetrical=True)

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "technologies"
        indexes = [models.Index(fields=["category", "name"])]

    def __str__(self) -> str:
        return self.name


ALIAS_MAX_LENGTH = 64


class TechnologyAlias(TimeStampedModel):
    """Another name people search a technology by (postgres, k8s): search matches its name too.

    Stored normalised (lower-case words, single spaces), as search compares query words.
    """

    technology = models.ForeignKey(Technology, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=ALIAS_MAX_LENGTH, unique=True)

    class Meta:
        ordering = ("alias",)
        verbose_name_plural = "technology aliases"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(alias=Lower("alias")) & ~models.Q(alias=""),
                name="technology_alias_normalised",
            )
        ]

    def __str__(self) -> str:
        return self.alias

    def clean(self) -> None:
        self.alias = normalise_alias(self.alias)
        if not self.alias:
            raise ValidationError({"alias": "An alias needs at least one letter or digit."})
        if len(self.alias) > ALIAS_MAX_LENGTH:  # lower-casing can lengthen a few letters
            raise ValidationError({"alias": f"Keep an alias to {ALIAS_MAX_LENGTH} characters."})


def normalise_alias(text: str) -> str:
    """An alias as search sees a query: lower-case words joined by single spaces."""
    return " ".join(words_of(text))


class Tag(TimeStampedModel):
    """A free tag; stored normalised (lower-case slug) so `?tag=` is one indexed lookup."""

    name = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class ArticleKind(models.TextChoices):
    CONCEPT = "concept", "Concept"
    GUIDE = "guide", "Guide"
    BEST_PRACTICE = "best_practice", "Best practice"
    TAKEAWAY = "takeaway", "Takeaway"
    INSIGHT = "insight", "Insight"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    # Waiting for a reviewer's decision: visible like a draft, to its author, reviewers, mentors.
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Article(TimeStampedModel, OutdatableModel):
    """A knowledge-base article. `version` grows by one on every save (optimistic locking)."""

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField()
    # Rendered once when the body is written, never on a read.
    body_html = models.TextField(blank=True)
    body_hash = models.CharField(max_length=64, blank=True)
    toc = models.JSONField(default=list, blank=True)
    reading_minutes = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=ArticleKind.choices, default=ArticleKind.CONCEPT)
    status = models.CharField(
        max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="articles"
    )
    technologies = models.ManyToManyField(Technology, blank=True, related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    version = models.PositiveIntegerField(default=1)
    published_at = models.DateTimeField(null=True, blank=True)
    helpful_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    bookmark_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"]),
            models.Index(fields=["status", "-created_at", "-id"]),
            models.Index(fields=["status", "-updated_at", "-id"]),
            models.Index(fields=["status", "title", "id"]),
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["author", "status"]),
            models.Index(Lower("title"), name="knowledge_article_title_ci"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="knowledge_article_version_positive"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    def etag_parts(self) -> tuple[object, ...]:
        """What the ETag is made of (nexus.core.conditional): every save is a new version;
        the counters and the outdated flag change without one."""
        return (
            self.version,
            self.helpful_count,
            self.comment_count,
            self.bookmark_count,
            self.outdated_since,
        )


class ArticleRevision(TimeStampedModel):
    """The article as it was saved at one version; revision `number` equals that version."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField()
    body_html = models.TextField(blank=True)
    body_hash = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=16, choices=ArticleKind.choices)
    status = models.CharField(max_length=16, choices=ArticleStatus.choices)
    technology_slugs = models.JSONField(default=list, blank=True)
    tag_names = models.JSONField(default=list, blank=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="article_revisions"
    )
    message = models.CharField(max_length=200, blank=True)
    reverted_from = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("-number",)
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="knowledge_revision_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"


class ArticleLink(TimeStampedModel):
    """A [[slug]] link from an article's current body; "what links here" is one indexed query."""

    source = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="outgoing_links")
    target_slug = models.SlugField(max_length=200, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target_slug"], name="knowledge_link_unique_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_id} -> {self.target_slug}"


class Comment(TimeStampedModel):
    """A comment or a reply (one level deep); removal keeps the row so replies keep a parent."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="article_comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(max_length=20_000)
    body_html = models.TextField(blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        indexes = [
            models.Index(fields=["article", "parent", "created_at", "id"]),
            models.Index(fields=["parent", "created_at", "id"]),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.article_id}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class ReactionKind(models.TextChoices):
    HELPFUL = "helpful", "Helpful"


class Reaction(TimeStampedModel):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_reactions"
    )
    kind = models.CharField(max_length=16, choices=ReactionKind.choices, default="helpful")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user", "kind"], name="knowledge_reaction_once"
            )
        ]
        indexes = [models.Index(fields=["kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id} on {self.article_id}"


class Bookmark(TimeStampedModel):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bookmarks")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_bookmarks"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="knowledge_bookmark_once")
        ]
        indexes = [models.Index(fields=["user", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.user_id} bookmarked {self.article_id}"


class LearningPath(TimeStampedModel):
    """An ordered series of articles, e.g. "Month 1: Foundation Setup"."""

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=5000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="learning_paths"
    )
    is_published = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(fields=["is_published", "-created_at", "-id"]),
            models.Index(fields=["is_published", "title", "id"]),
        ]

    def __str__(self) -> str:
        return self.title


class LearningPathStep(TimeStampedModel):
    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="steps")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="path_steps")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ("position",)
        constraints = [
            models.UniqueConstraint(fields=["path", "position"], name="knowledge_step_position"),
            models.UniqueConstraint(fields=["path", "article"], name="knowledge_step_article"),
        ]

    def __str__(self) -> str:
        return f"{self.path_id}#{self.position}"


class PathProgress(TimeStampedModel):
    """One learner has finished one step of a path."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="path_progress"
    )
    step = models.ForeignKey(LearningPathStep, on_delete=models.CASCADE, related_name="progress")

    class Meta:
        verbose_name_plural = "path progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "step"], name="knowledge_progress_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} done {self.step_id}"


class Attachment(TimeStampedModel):
    """A file or image put into Markdown through the editor, stored with the default storage.

    Its URL carries an unguessable key: anyone with the link reads it (it is embedded in articles,
    challenges and answers that visitors read), only signed-in people upload.
    """

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attachments"
    )
    # The storage name is ours (attachments/<key>.<ext>); the uploader's name is only shown.
    file = models.FileField(upload_to="attachments/", max_length=255)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["owner", "created_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    def get_absolute_url(self) -> str:
        return reverse("knowledge:attachment", kwargs={"key": self.key, "name": self.name})
