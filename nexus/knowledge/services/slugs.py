"""Unique slugs from titles: a colliding slug gets the next free numeric suffix."""

from django.db import models
from django.utils.text import slugify

# Slugs that would shadow a page of the web UI (/articles/new/).
RESERVED_SLUGS = frozenset({"new"})


def unique_slug(model: type[models.Model], text: str, *, max_length: int) -> str:
    """A slug for `text` not yet used by `model`: "rest", then "rest-2", "rest-3", ..."""
    base = slugify(text)[: max_length - 6].strip("-") or "untitled"
    taken = set(model._default_manager.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    candidate, suffix = base, 1
    while candidate in taken:
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate
