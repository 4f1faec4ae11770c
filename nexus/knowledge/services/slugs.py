"""Unique slugs from titles: a colliding slug gets the next free numeric suffix."""

from collections.abc import Sequence
from itertools import batched

from django.db import models
from django.db.models import Q
from django.utils.text import slugify

# Slugs that would shadow a page of the web UI (/articles/new/).
RESERVED_SLUGS = frozenset({"new"})
PREFIXES_PER_QUERY = 100


def _base(text: str, max_length: int) -> str:
    return slugify(text)[: max_length - 6].strip("-") or "untitled"


def _free(base: str, taken: set[str]) -> str:
    candidate, suffix = base, 1
    while candidate in taken:
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


def unique_slug(model: type[models.Model], text: str, *, max_length: int) -> str:
    """A slug for `text` not yet used by `model`: "rest", then "rest-2", "rest-3", ..."""
    return unique_slugs(model, [text], max_length=max_length)[0]


def unique_slugs(model: type[models.Model], texts: Sequence[str], *, max_length: int) -> list[str]:
    """`unique_slug` for each text, in one query, none equal to another of them."""
    bases = [_base(text, max_length) for text in texts]
    taken = set(RESERVED_SLUGS)
    # Chunked: SQLite bounds how deep one WHERE clause may nest.
    for chunk in batched(sorted(set(bases)), PREFIXES_PER_QUERY):
        prefixes = Q()
        for base in chunk:
            prefixes |= Q(slug__startswith=base)
        taken |= set(model._default_manager.filter(prefixes).values_list("slug", flat=True))
    slugs: list[str] = []
    for base in bases:
        slug = _free(base, taken)
        taken |= {slug}
        slugs.append(slug)
    return slugs
