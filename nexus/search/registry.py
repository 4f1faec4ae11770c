"""What each app contributes to the search index: one provider per document type.

An app registers a provider in its own `nexus/<app>/search.py`:

    @search_registry.register("article")
    class ArticleSearch(SearchProvider):
        model = Article
        label = "Articles"
        def queryset(self): ...             # every object that may be indexed, with its joins
        def to_document(self, obj): ...     # an IndexEntry, or None to keep it out of the index
        def visible_ids(self, user, ids): ...  # optional: the ids of `ids` the user may see now

An app may also teach search other names for things (`register_synonyms`): the knowledge base
maps technology aliases (postgres, k8s) to technology names.

The search app owns the index: it stores the entries, keeps them current from events, ranks,
filters by visibility and renders. Providers never write search tables.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth import get_user_model
from django.db import models

if TYPE_CHECKING:
    from nexus.accounts.models import Viewer


class Visibility(models.TextChoices):
    PUBLIC = "public", "Everyone"
    MODERATORS = "moderators", "Its owner, mentors and admins"
    PRIVATE = "private", "Its owner only"


@dataclass(frozen=True)
class Facet:
    """A technology or tag on a document: `value` is the slug filtered on, `label` is shown."""

    value: str
    label: str = ""


@dataclass(frozen=True)
class IndexEntry:
    """One object as the index sees it."""

    title: str
    url: str
    freshness: datetime
    body: str = ""
    summary: str = ""
    technologies: Sequence[Facet] = ()
    tags: Sequence[Facet] = ()
    owner_id: int | None = None
    author_name: str = ""
    status: str = ""
    visibility: str = Visibility.PUBLIC
    votes: int = 0
    extra_keywords: Sequence[str] = field(default=())


class SearchProvider:
    """Base class for a document type's provider; subclasses set `model` and `label`."""

    doc_type: ClassVar[str] = ""
    model: ClassVar[type[models.Model]]
    label: ClassVar[str] = ""
    # The model's last-changed timestamp: the periodic sync re-indexes what changed since.
    updated_field: ClassVar[str] = "updated_at"

    def queryset(self) -> models.QuerySet[Any]:
        """Every object that may be indexed, with the joins `to_document` needs."""
        return self.model._default_manager.all()

    def to_document(self, obj: Any) -> IndexEntry | None:
        """The object as an index entry, or None when it must not be in the index."""
        raise NotImplementedError

    def visible_ids(self, user: "Viewer", ids: Iterable[int]) -> set[int]:
        """Of `ids`, those the user may see right now (a last check against a stale index)."""
        return set(ids)

    def ids_for_event(self, event: Any) -> Iterable[int]:
        """Objects of this type an event about *another* object changes (e.g. a solution's
        challenge, a new spec version's operations); the subscriber re-indexes them."""
        return ()

    @property
    def subject_type(self) -> str:
        """The model label events carry as `subject_type` (e.g. "knowledge.article")."""
        return self.model._meta.label_lower


_providers: dict[str, SearchProvider] = {}


def author_names() -> models.Prefetch:
    """For a provider's queryset: each object's author as its entry needs it (the display name),
    prefetched, so that one user object serves all of an author's objects instead of one built
    per object from a join (an import re-indexes hundreds of one learner's articles)."""
    return models.Prefetch("author", queryset=get_user_model().objects.only("id", "display_name"))


def register(doc_type: str) -> Callable[[type[SearchProvider]], type[SearchProvider]]:
    """Class decorator: register a provider for `doc_type` (re-registering replaces it)."""

    def decorate(cls: type[SearchProvider]) -> type[SearchProvider]:
        cls.doc_type = doc_type
        _providers[doc_type] = cls()
        return cls

    return decorate


def unregister(doc_type: str) -> None:
    _providers.pop(doc_type, None)


def providers() -> dict[str, SearchProvider]:
    return dict(_providers)


def provider(doc_type: str) -> SearchProvider | None:
    return _providers.get(doc_type)


def provider_for_subject(subject_type: str) -> SearchProvider | None:
    """The provider whose model an event's subject is, if any."""
    for candidate in _providers.values():
        if candidate.subject_type == subject_type:
            return candidate
    return None


# Given the words and two-word phrases of a query, the ones known by another name: each mapped
# to the other names, as words (one phrase when several).
SynonymSource = Callable[[Sequence[str]], dict[str, list[tuple[str, ...]]]]
_synonym_sources: list[SynonymSource] = []


def register_synonyms(source: SynonymSource) -> SynonymSource:
    """Register a function that names what a query's words also mean (usable as a decorator)."""
    if source not in _synonym_sources:
        _synonym_sources.append(source)
    return source


def synonyms(phrases: Sequence[str]) -> dict[str, list[tuple[str, ...]]]:
    """Every registered source's other names for these phrases, merged."""
    found: dict[str, list[tuple[str, ...]]] = {}
    if not phrases:
        return found
    for source in _synonym_sources:
        for phrase, names in source(phrases).items():
            known = found.setdefault(phrase, [])
            known.extend(name for name in names if name not in known)
    return found
