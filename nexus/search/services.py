"""Writing the index: every change to search tables goes through these functions."""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import batched as chunked

from django.db import models, transaction

from nexus.core import clock
from nexus.search import registry
from nexus.search.models import (
    BODY_MAX_CHARS,
    TITLE_MAX_LENGTH,
    SearchDocument,
    SearchDocumentTerm,
    SearchSuggestion,
    SearchSyncState,
    SearchVocabulary,
    TermKind,
    filter_token,
)
from nexus.search.query import words_of
from nexus.search.registry import IndexEntry, SearchProvider, Visibility

# The highlight markers must never occur in indexed text (see backends.base).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
VOCABULARY_WORD = re.compile(r"^[^\W\d_][\w.+#-]{2,63}$")
REBUILD_BATCH = 500
DOCUMENT_FIELDS = (
    "title",
    "keywords",
    "body",
    "url",
    "status",
    "visibility",
    "owner_id",
    "author_name",
    "freshness",
    "votes",
    "filter_terms",
)


def _clean(text: str, limit: int) -> str:
    return CONTROL_CHARS.sub(" ", text or "")[:limit]


def _document_fields(entry: IndexEntry) -> dict[str, object]:
    keywords = [entry.summary, *(f.label or f.value for f in entry.technologies)]
    keywords += [f.label or f.value for f in entry.tags]
    keywords += list(entry.extra_keywords)
    return {
        "title": _clean(entry.title, TITLE_MAX_LENGTH),
        "keywords": _clean(" ".join(word for word in keywords if word), BODY_MAX_CHARS),
        "body": _clean(entry.body, BODY_MAX_CHARS),
        "url": entry.url[:500],
        "status": entry.status[:32],
        "visibility": entry.visibility,
        "owner_id": entry.owner_id,
        "author_name": entry.author_name[:150],
        "freshness": entry.freshness,
        "votes": entry.votes,
        "filter_terms": " ".join(sorted(filter_token(*key) for key in _entry_terms(entry))),
    }


def _entry_terms(entry: IndexEntry) -> dict[tuple[str, str], str]:
    """The entry's technologies and tags: (kind, value) -> label."""
    terms = {(TermKind.TECHNOLOGY.value, f.value[:64]): f.label for f in entry.technologies}
    return terms | {(TermKind.TAG.value, f.value[:64]): f.label for f in entry.tags}


def _store_terms(document_ids: Sequence[int], entries: Sequence[IndexEntry]) -> None:
    """Each document's terms become its entry's: one read, at most one delete and one insert."""
    wanted = {
        document_id: _entry_terms(entry)
        for document_id, entry in zip(document_ids, entries, strict=True)
    }
    existing = SearchDocumentTerm.objects.filter(document_id__in=wanted)
    have: dict[int, set[tuple[str, str]]] = defaultdict(set)
    stale = []
    for term_id, document_id, kind, value in existing.values_list(
        "pk", "document_id", "kind", "value"
    ):
        if (kind, value) in wanted[document_id]:
            have[document_id].add((kind, value))
        else:
            stale.append(term_id)
    if stale:
        SearchDocumentTerm.objects.filter(pk__in=stale).delete()
    SearchDocumentTerm.objects.bulk_create(
        [
            SearchDocumentTerm(document_id=document_id, kind=kind, value=value, label=label[:80])
            for document_id, terms in wanted.items()
            for (kind, value), label in terms.items()
            if (kind, value) not in have[document_id]
        ]
    )


def _learn_words(entries: Iterable[IndexEntry]) -> None:
    """Public titles, technologies and tags feed autocomplete and the typo vocabulary."""
    suggestions: dict[tuple[str, str], SearchSuggestion] = {}
    words: set[str] = set()
    for entry in entries:
        if entry.visibility != Visibility.PUBLIC:
            continue
        for kind, facets in (
            (TermKind.TECHNOLOGY, entry.technologies),
            (TermKind.TAG, entry.tags),
        ):
            for f in facets:
                suggestion = SearchSuggestion(
                    kind=kind, value=f.value[:64], label=(f.label or f.value)[:80]
                )
                suggestions.setdefault((kind, suggestion.value), suggestion)
        text = " ".join([entry.title, *(f.label or f.value for f in entry.technologies)])
        text += " " + " ".join(f.value.replace("-", " ") for f in entry.tags)
        words.update(word for word in words_of(text) if VOCABULARY_WORD.match(word))
    SearchSuggestion.objects.bulk_create(list(suggestions.values()), ignore_conflicts=True)
    SearchVocabulary.objects.bulk_create(
        [SearchVocabulary(word=word) for word in sorted(words)], ignore_conflicts=True
    )


def document_upsert(*, doc_type: str, object_id: int, entry: IndexEntry) -> int:
    """Store (or replace) one object's entry in the index; returns the document's id."""
    return documents_upsert(doc_type=doc_type, entries={object_id: entry})[0]


def documents_upsert(*, doc_type: str, entries: dict[int, IndexEntry]) -> list[int]:
    """Store (or replace) many objects' entries of one type: a fixed number of statements.
    Returns the documents' ids, in the entries' order."""
    if not entries:
        return []
    now = clock.now()
    with transaction.atomic():
        SearchDocument.objects.bulk_create(
            [
                SearchDocument(
                    doc_type=doc_type,
                    object_id=object_id,
                    created_at=now,
                    updated_at=now,
                    **_document_fields(entry),
                )
                for object_id, entry in entries.items()
            ],
            update_conflicts=True,
            unique_fields=["doc_type", "object_id"],
            update_fields=[*DOCUMENT_FIELDS, "updated_at"],
        )
        # Read back rather than trust returned keys: SQLite does not return them on conflict.
        # Ids only: the rows hold whole bodies, which nothing here needs again.
        stored = dict(
            SearchDocument.objects.filter(doc_type=doc_type, object_id__in=entries).values_list(
                "object_id", "pk"
            )
        )
        document_ids = [stored[object_id] for object_id in entries]
        _store_terms(document_ids, list(entries.values()))
        _learn_words(entries.values())
    return document_ids


def document_delete(*, doc_type: str, object_id: int) -> bool:
    """Take one object out of the index; True if it was there."""
    deleted, _ = SearchDocument.objects.filter(doc_type=doc_type, object_id=object_id).delete()
    return bool(deleted)


def object_reindex(*, doc_type: str, object_id: int) -> bool:
    """Bring one object's entry in line with the object as it is now; True if it is indexed.

    Idempotent: reads the current state, so replays and out-of-order events converge.
    """
    provider = registry.provider(doc_type)
    if provider is None:
        return False
    obj = provider.queryset().filter(pk=object_id).first()
    entry = provider.to_document(obj) if obj is not None else None
    if entry is None:
        document_delete(doc_type=doc_type, object_id=object_id)
        return False
    document_upsert(doc_type=doc_type, object_id=object_id, entry=entry)
    return True


def objects_reindex(*, doc_type: str, object_ids: Iterable[int]) -> int:
    """`object_reindex` for many objects of one type in batches; returns how many are indexed."""
    provider = registry.provider(doc_type)
    if provider is None:
        return 0
    wanted = sorted(set(object_ids))
    indexed = 0
    for start in range(0, len(wanted), REBUILD_BATCH):
        batch = wanted[start : start + REBUILD_BATCH]
        objects = list(provider.queryset().filter(pk__in=batch))
        indexed += _index_objects(provider, objects)[0]
        gone = set(batch) - {obj.pk for obj in objects}
        if gone:
            SearchDocument.objects.filter(doc_type=doc_type, object_id__in=gone).delete()
    return indexed


def _index_objects(provider: SearchProvider, objects: Iterable[models.Model]) -> tuple[int, int]:
    """Index what the provider indexes and drop the rest, REBUILD_BATCH objects at a time."""
    indexed = removed = 0
    for chunk in chunked(objects, REBUILD_BATCH):
        entries: dict[int, IndexEntry] = {}
        unindexed = []
        for obj in chunk:
            entry = provider.to_document(obj)
            if entry is None:
                unindexed.append(obj.pk)
            else:
                entries[obj.pk] = entry
        documents_upsert(doc_type=provider.doc_type, entries=entries)
        indexed += len(entries)
        if unindexed:
            gone = SearchDocument.objects.filter(
                doc_type=provider.doc_type, object_id__in=unindexed
            )
            removed += gone.count()
            gone.delete()
    return indexed, removed


def index_rebuild(*, doc_types: Iterable[str] | None = None) -> dict[str, int]:
    """Rebuild the index for the given types (all by default); returns documents per type."""
    wanted = registry.providers()
    if doc_types is not None:
        wanted = {name: wanted[name] for name in doc_types if name in wanted}
    counts: dict[str, int] = {}
    for doc_type, provider in wanted.items():
        started = clock.now()
        queryset = provider.queryset().order_by("pk")
        ids = list(queryset.values_list("pk", flat=True))
        with transaction.atomic():
            SearchDocument.objects.filter(doc_type=doc_type).exclude(object_id__in=ids).delete()
        indexed = 0
        for start in range(0, len(ids), REBUILD_BATCH):
            batch = queryset.filter(pk__in=ids[start : start + REBUILD_BATCH])
            indexed += _index_objects(provider, batch)[0]
        _mark_synced(doc_type, started)
        counts[doc_type] = indexed
    return counts


def _mark_synced(doc_type: str, until: datetime) -> None:
    SearchSyncState.objects.update_or_create(doc_type=doc_type, defaults={"synced_until": until})


def index_sync() -> dict[str, int]:
    """Re-index objects changed since the last sweep: catches writes that announce no event."""
    counts: dict[str, int] = {}
    for doc_type, provider in registry.providers().items():
        field = provider.updated_field
        if not field:
            continue
        started = clock.now()
        state = SearchSyncState.objects.filter(doc_type=doc_type).first()
        queryset = provider.queryset()
        if state is not None:
            queryset = queryset.filter(**{f"{field}__gte": state.synced_until})
        indexed, removed = _index_objects(provider, queryset.order_by("pk").iterator(500))
        _mark_synced(doc_type, started)
        counts[doc_type] = indexed + removed
    return counts
