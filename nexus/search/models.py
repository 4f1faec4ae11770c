"""The search index: one row per indexed object, plus facet terms and a typo vocabulary.

The full-text index itself lives next to these tables and is created by the migrations, per
database: on PostgreSQL a generated, weighted `search_vector` column with a GIN index and trigram
indexes; on SQLite FTS5 tables kept in step by triggers (see backends/).
"""

from django.conf import settings
from django.db import models

from nexus.core.models import TimeStampedModel
from nexus.search.registry import Visibility

TITLE_MAX_LENGTH = 300
BODY_MAX_CHARS = 100_000


class SearchDocument(TimeStampedModel):
    doc_type = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    # Weight B: summary, technology names and tags; weight C: the body as plain text.
    keywords = models.TextField(blank=True)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    status = models.CharField(max_length=32, blank=True)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    author_name = models.CharField(max_length=150, blank=True)
    freshness = models.DateTimeField()
    votes = models.IntegerField(default=0)
    # One opaque token per technology and tag (see filter_token), indexed with the text so a
    # filter narrows the full-text match itself instead of being checked row by row.
    filter_terms = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "object_id"], name="search_document_once")
        ]
        indexes = [
            models.Index(fields=["visibility", "doc_type", "-freshness"]),
            models.Index(fields=["visibility", "-freshness", "-id"]),
            models.Index(fields=["owner", "visibility"]),
            models.Index(fields=["doc_type", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.object_id} {self.title}"


class TermKind(models.TextChoices):
    TECHNOLOGY = "technology", "Technology"
    TAG = "tag", "Tag"


def filter_token(kind: str, value: str) -> str:
    """A term as one full-text token: letters and digits only, so no tokenizer splits it."""
    return kind[:3] + value.encode().hex()


class SearchDocumentTerm(TimeStampedModel):
    """A technology or tag on a document: filters and facet counts join on it."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="terms")
    kind = models.CharField(max_length=16, choices=TermKind.choices)
    value = models.CharField(max_length=64)
    label = models.CharField(max_length=80, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "kind", "value"], name="search_term_once_per_document"
            )
        ]
        indexes = [models.Index(fields=["kind", "value", "document"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class SearchSuggestion(TimeStampedModel):
    """A technology or tag seen on a public document: autocomplete offers it by name."""

    kind = models.CharField(max_length=16, choices=TermKind.choices)
    value = models.CharField(max_length=64)
    label = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="search_suggestion_once")
        ]

    def __str__(self) -> str:
        return self.label


class SearchVocabulary(TimeStampedModel):
    """Words of public titles, technology names and tags: the dictionary typos are fixed against.

    Only public documents feed it, so a suggested correction never reveals a private title.
    """

    word = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name_plural = "search vocabulary"

    def __str__(self) -> str:
        return self.word


class SearchSyncState(TimeStampedModel):
    """Up to when a document type's objects were last swept into the index (`search_sync`)."""

    doc_type = models.CharField(max_length=32, unique=True)
    synced_until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.doc_type} until {self.synced_until}"
