"""What the knowledge base contributes to the search index: articles."""

from collections.abc import Iterable, Sequence

from django.db.models import Prefetch, Q, QuerySet

from nexus.accounts.models import User, Viewer
from nexus.core.markdown import plain_text
from nexus.knowledge import selectors
from nexus.knowledge.models import Article, ArticleKind, ArticleStatus
from nexus.search import registry
from nexus.search.query import words_of
from nexus.search.registry import Facet, IndexEntry, SearchProvider, Visibility, author_names


@registry.register_synonyms
def technology_aliases(phrases: Sequence[str]) -> dict[str, list[tuple[str, ...]]]:
    """postgres -> PostgreSQL: a query word that is a technology's alias also means its name."""
    names = selectors.technology_names_by_alias(aliases=phrases)
    return {alias: [tuple(words_of(name))] for alias, name in names.items() if words_of(name)}


# Where `queryset` puts the prefetched relations, as plain lists (to_attr): Django otherwise
# builds a related manager's queryset per article and relation, which was most of re-indexing an
# import.
TECHNOLOGIES_ATTR = "indexed_technologies"
TAGS_ATTR = "indexed_tags"
# What get_kind_display() gives, looked up directly: Django rebuilds (and hashes) the choices on
# every call, which cost as much as the rest of an article's entry when an import re-indexes.
KIND_LABELS: dict[str, str] = dict(ArticleKind.choices)


@registry.register("article")
class ArticleSearch(SearchProvider):
    model = Article
    label = "Articles"

    def queryset(self) -> QuerySet[Article]:
        return Article.objects.prefetch_related(
            author_names(),
            Prefetch("technologies", to_attr=TECHNOLOGIES_ATTR),
            Prefetch("tags", to_attr=TAGS_ATTR),
        )

    def to_document(self, obj: Article) -> IndexEntry | None:
        # Drafts and archived articles stay findable by those who may open them (can_view_article).
        published = obj.status == ArticleStatus.PUBLISHED
        return IndexEntry(
            title=obj.title,
            summary=obj.summary,
            body=plain_text(obj.body_html) if obj.body_html else obj.body,
            url=obj.get_absolute_url(),
            technologies=[Facet(tech.slug, tech.name) for tech in getattr(obj, TECHNOLOGIES_ATTR)],
            tags=[Facet(tag.name, tag.name) for tag in getattr(obj, TAGS_ATTR)],
            owner_id=obj.author_id,
            author_name=obj.author.display_name,
            status=obj.status,
            visibility=Visibility.PUBLIC if published else Visibility.MODERATORS,
            freshness=obj.published_at or obj.updated_at,
            votes=obj.helpful_count,
            extra_keywords=[KIND_LABELS.get(obj.kind, obj.kind)],
        )

    def visible_ids(self, user: Viewer, ids: Iterable[int]) -> set[int]:
        articles = Article.objects.filter(pk__in=list(ids))
        if not (isinstance(user, User) and user.is_moderator):
            rule = Q(status=ArticleStatus.PUBLISHED)
            if isinstance(user, User):
                rule |= Q(author_id=user.pk)
            articles = articles.filter(rule)
        return set(articles.values_list("pk", flat=True))
