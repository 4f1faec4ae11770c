"""Reads of the knowledge base, with the joins and prefetches their callers need."""

import difflib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.cache import caches
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from nexus.accounts.models import User, Viewer
from nexus.core import clock
from nexus.core.markdown_diff import BlockDiff, block_diff
from nexus.knowledge.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    Attachment,
    Bookmark,
    Comment,
    LearningPath,
    LearningPathStep,
    PathProgress,
    Reaction,
    Tag,
    Technology,
    TechnologyAlias,
    TechnologyCategory,
)
from nexus.knowledge.rendering import ArticleLinks, render_article_body

POPULAR_CACHE_SECONDS = 300


def technology_list() -> QuerySet[Technology]:
    """Technologies with their category, grouped by category then name."""
    return Technology.objects.select_related("category").order_by(
        "category__position", "category__name", "name", "id"
    )


def tag_names(*, limit: int = 200) -> list[str]:
    """The most used tags (articles and challenges together), most used first: the chooser's
    suggestions."""
    # One count per relation in its own subquery: joining both would multiply the rows.
    articles = _tag_uses(Tag.articles.through)
    challenges = _tag_uses(Tag.challenges.through)
    return list(
        Tag.objects.annotate(uses=Coalesce(articles, 0) + Coalesce(challenges, 0))
        .order_by("-uses", "name")
        .values_list("name", flat=True)[:limit]
    )


def _tag_uses(through: Any) -> Subquery:
    return Subquery(
        through.objects.filter(tag_id=OuterRef("pk"))
        .values("tag_id")
        .annotate(uses=Count("*"))
        .values("uses")
    )


def technology_names_by_alias(*, aliases: Sequence[str]) -> dict[str, str]:
    """The technology name each of these (normalised) aliases stands for, if any."""
    found = TechnologyAlias.objects.filter(alias__in=list(aliases)).values_list(
        "alias", "technology__name"
    )
    return dict(found)


def technology_get(*, slug: str) -> Technology | None:
    return (
        Technology.objects.select_related("category")
        .prefetch_related(Prefetch("related", queryset=Technology.objects.order_by("name")))
        .filter(slug=slug)
        .first()
    )


def category_list() -> QuerySet[TechnologyCategory]:
    """Categories with their technologies, for the taxonomy page."""
    return TechnologyCategory.objects.prefetch_related(
        Prefetch("technologies", queryset=Technology.objects.order_by("name"))
    ).order_by("position", "name")


def _visibility(user: Viewer | None, *, through: str = "") -> Q:
    """The articles the user may see (policies.can_view_article), as a filter on Article or,
    with `through="article__"`, on a model that links one."""
    if isinstance(user, User) and user.is_moderator:
        return Q()
    visible = Q(**{f"{through}status": ArticleStatus.PUBLISHED})
    if isinstance(user, User):
        visible |= Q(**{f"{through}author_id": user.pk})
    return visible


def article_list(*, user: Viewer | None = None) -> QuerySet[Article]:
    """Articles the user may see, with author, technologies and tags loaded."""
    return _with_relations(Article.objects.filter(_visibility(user)))


# The columns an article in a list shows (ArticleListSerializer), its author's name included.
SUMMARY_COLUMNS = (
    "slug",
    "title",
    "summary",
    "kind",
    "status",
    "author__display_name",
    "version",
    "reading_minutes",
    "helpful_count",
    "comment_count",
    "bookmark_count",
    "created_at",
    "updated_at",
    "published_at",
    "outdated_since",
    "outdated_reason",
)


def article_summaries(*, user: Viewer | None = None) -> QuerySet[Article]:
    """Articles the user may see, for lists: the columns a list shows (no bodies, no author row
    beyond the name), technologies and tags as `technology_list` and `tag_list`."""
    return (
        Article.objects.filter(_visibility(user))
        .select_related("author")
        .only(*SUMMARY_COLUMNS)
        .prefetch_related(*taxonomy_lists())
    )


def taxonomy_lists(through: str = "") -> "list[Prefetch[Any]]":
    """Prefetches of the technologies (by name) and tags of articles or challenges (or of the
    rows that `through` leads to, "article__") into plain lists, `technology_list` and
    `tag_list`: filling a list costs nothing per row, where a prefetch into the related manager
    builds a filtered queryset for each row (a third of a list's time)."""
    return [
        Prefetch(
            f"{through}technologies",
            queryset=Technology.objects.only("slug", "name").order_by("name"),
            to_attr="technology_list",
        ),
        Prefetch(
            f"{through}tags", queryset=Tag.objects.only("name").order_by("name"), to_attr="tag_list"
        ),
    ]


def article_find(*, slug: str) -> Article | None:
    """An article by slug whatever its status, for callers that apply the policy themselves."""
    return _with_relations(Article.objects.filter(slug=slug)).first()


def _with_relations(queryset: QuerySet[Article]) -> QuerySet[Article]:
    return queryset.select_related("author").prefetch_related(
        Prefetch("technologies", queryset=Technology.objects.order_by("name")),
        "tags",
    )


def article_get(*, slug: str, user: Viewer | None = None) -> Article | None:
    """One article by slug if the user may see it."""
    return article_list(user=user).filter(slug=slug).first()


def published_articles() -> QuerySet[Article]:
    """Published articles, newest first; summaries only (no bodies) for list pages."""
    return (
        article_list()
        .filter(status=ArticleStatus.PUBLISHED)
        .defer("body", "body_html", "toc")
        .order_by("-published_at", "-id")
    )


def popular_this_week(*, limit: int = 5) -> list[Article]:
    """The published articles marked helpful most in the last seven days (cached for minutes)."""
    key = f"knowledge:popular:{limit}"
    ids = caches["best_effort"].get(key)
    if ids is None:
        since = clock.now() - timedelta(days=7)
        ids = list(
            Reaction.objects.filter(created_at__gte=since, article__status=ArticleStatus.PUBLISHED)
            .values("article_id")
            .annotate(recent=Count("id"))
            .order_by("-recent", "-article_id")
            .values_list("article_id", flat=True)[:limit]
        )
        caches["best_effort"].set(key, ids, POPULAR_CACHE_SECONDS)
    articles = {a.pk: a for a in published_articles().filter(pk__in=ids)}
    return [articles[pk] for pk in ids if pk in articles]


def articles_linking_to(*, article: Article) -> QuerySet[Article]:
    """Published articles whose bodies link to this one ("what links here")."""
    return (
        Article.objects.filter(
            outgoing_links__target_slug=article.slug, status=ArticleStatus.PUBLISHED
        )
        .only("slug", "title")
        .order_by("title", "id")
    )


def revision_list(*, article: Article) -> QuerySet[ArticleRevision]:
    """An article's revisions, newest first, without their bodies."""
    return (
        ArticleRevision.objects.filter(article=article)
        .select_related("editor")
        .defer("body", "body_html")
        .order_by("-number")
    )


def revision_get(*, article: Article, number: int) -> ArticleRevision | None:
    return (
        ArticleRevision.objects.filter(article=article, number=number)
        .select_related("editor")
        .first()
    )


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "context", "added", "removed", "hunk" or "header"
    text: str


@dataclass(frozen=True)
class RevisionDiff:
    old_label: str
    new_label: str
    unified: str
    lines: list[DiffLine]

    @property
    def changed(self) -> bool:
        return any(line.kind in ("added", "removed") for line in self.lines)


def _comparable(title: str, summary: str, body: str) -> list[str]:
    return [f"# {title}", "", summary, "", *body.splitlines()]


def text_diff(
    *, old: tuple[str, str, str], new: tuple[str, str, str], old_label: str, new_label: str
) -> RevisionDiff:
    """A unified diff between two (title, summary, body) triples, line by line for display."""
    unified = list(
        difflib.unified_diff(
            _comparable(*old), _comparable(*new), old_label, new_label, lineterm="", n=3
        )
    )
    lines = []
    for line in unified:
        if line.startswith(("---", "+++")):
            kind = "header"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "added"
        elif line.startswith("-"):
            kind = "removed"
        else:
            kind = "context"
        lines.append(DiffLine(kind=kind, text=line))
    return RevisionDiff(
        old_label=old_label, new_label=new_label, unified="\n".join(unified), lines=lines
    )


def revision_diff(*, old: ArticleRevision, new: ArticleRevision) -> RevisionDiff:
    """What changed from one revision to another."""
    return text_diff(
        old=(old.title, old.summary, old.body),
        new=(new.title, new.summary, new.body),
        old_label=f"revision {old.number}",
        new_label=f"revision {new.number}",
    )


def revision_rendered_diff(*, old: ArticleRevision, new: ArticleRevision) -> BlockDiff:
    """The two revisions' bodies as rendered blocks side by side, changed blocks marked."""
    links = ArticleLinks([old.body, new.body])  # one query for every wiki link in both
    return block_diff(
        old.body,
        new.body,
        render=lambda block: render_article_body(block, link_resolver=links).html,
    )


def comment_threads(*, article: Article) -> QuerySet[Comment]:
    """Top-level comments, oldest first, each with its replies and authors loaded."""
    replies = Comment.objects.select_related("author").order_by("created_at", "id")
    return (
        Comment.objects.filter(article=article, parent__isnull=True)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "id")
    )


def user_reacted(*, article: Article, user: Viewer) -> bool:
    return bool(
        user.is_authenticated and Reaction.objects.filter(article=article, user=user).exists()
    )


def user_bookmarked(*, article: Article, user: Viewer) -> bool:
    return bool(
        user.is_authenticated and Bookmark.objects.filter(article=article, user=user).exists()
    )


def _bookmarks(user: User) -> QuerySet[Bookmark]:
    return (
        Bookmark.objects.filter(user=user)
        .filter(Q(article__status=ArticleStatus.PUBLISHED) | Q(article__author_id=user.pk))
        .order_by("-created_at", "-id")
    )


def bookmark_list(*, user: User) -> QuerySet[Bookmark]:
    """A user's reading list, newest bookmark first, articles they can still see."""
    return (
        _bookmarks(user)
        .select_related("article", "article__author")
        .prefetch_related("article__technologies", "article__tags")
        .defer("article__body", "article__body_html", "article__toc")
    )


def bookmark_summaries(*, user: User) -> QuerySet[Bookmark]:
    """The reading list for the API: each article loaded as article_summaries loads it."""
    return (
        _bookmarks(user)
        .select_related("article__author")
        .only("created_at", *(f"article__{column}" for column in SUMMARY_COLUMNS))
        .prefetch_related(*taxonomy_lists(through="article__"))
    )


def path_list() -> QuerySet[LearningPath]:
    """Published learning paths with their step count."""
    return (
        LearningPath.objects.filter(is_published=True)
        .select_related("author")
        .annotate(step_count=Count("steps"))
    )


def path_get(*, slug: str, user: Viewer | None = None) -> LearningPath | None:
    """A path with its steps in order, their articles, and whether the user has done each.
    A step whose article the user may not see (archived, or a draft again) is left out."""
    steps = (
        LearningPathStep.objects.filter(_visibility(user, through="article__"))
        .select_related("article")
        .defer("article__body", "article__body_html", "article__toc")
    )
    if isinstance(user, User):
        steps = steps.annotate(
            done=Exists(PathProgress.objects.filter(step=OuterRef("pk"), user=user))
        )
    return (
        LearningPath.objects.select_related("author")
        .annotate(step_count=Count("steps"))
        .prefetch_related(Prefetch("steps", queryset=steps.order_by("position")))
        .filter(slug=slug)
        .first()
    )


def has_written_article(*, author: User) -> bool:
    """Whether this user wrote an article that is still theirs to show (drafts count)."""
    return Article.objects.filter(author=author).exclude(status=ArticleStatus.ARCHIVED).exists()


def attachment_get(*, key: uuid.UUID) -> Attachment | None:
    """The attachment stored under `key`, or None."""
    return Attachment.objects.filter(key=key).first()
