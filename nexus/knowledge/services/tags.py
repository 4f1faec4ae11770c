"""Tags: free, shared names on articles, challenges and any other content.

Knowledge owns the Tag table, and every app that lets people type tags goes through here, so a tag
is spelt, limited and stored the same way wherever it was typed.
"""

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from nexus.knowledge.models import Tag

MAX_TAGS = 10
TAG_MAX_LENGTH = 40


def tags_normalise(*, names: Iterable[str]) -> list[str]:
    """Tags as lower-case slugs without duplicates; a bad tag or too many is a `tags` error."""
    tags: list[str] = []
    for name in names:
        tag = slugify(str(name))
        if not tag or len(tag) > TAG_MAX_LENGTH:
            message = f"Tags are 1-{TAG_MAX_LENGTH} letters, digits or dashes: {name!r}."
            raise ValidationError({"tags": [message]})
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError({"tags": [f"Use at most {MAX_TAGS} tags."]})
    return tags


@transaction.atomic
def tags_ensure(*, names: Sequence[str]) -> list[Tag]:
    """The Tag rows for names from `tags_normalise`, in their order, creating the missing ones."""
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=name) for name in names if name not in existing]
    if missing:
        # Another writer may create the same tag meanwhile: the name is unique, so it is a no-op.
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    return [existing[name] for name in names]
