"""The knowledge base's technologies and tags, as challenges use them.

Every read of knowledge's taxonomy goes through here, so that challenges depend on one small
surface of the knowledge app.
"""

from collections.abc import Iterable, Sequence

from django.db.models import QuerySet
from django.utils.text import slugify

from nexus.knowledge import selectors as knowledge_selectors
from nexus.knowledge.models import Tag, Technology

MAX_TECHNOLOGIES = 5
MAX_TAGS = 8
TAG_MAX_LENGTH = 40


def technology_list() -> QuerySet[Technology]:
    """Every technology, for filters and form choices."""
    return knowledge_selectors.technology_list()


def technologies_by_slug(slugs: Iterable[str]) -> tuple[list[Technology], list[str]]:
    """The technologies named, in the order given, and the slugs that name none."""
    wanted = list(dict.fromkeys(slugs))
    found = {tech.slug: tech for tech in Technology.objects.filter(slug__in=wanted)}
    return [found[s] for s in wanted if s in found], [s for s in wanted if s not in found]


def normalise_tags(names: Iterable[str]) -> tuple[list[str], str]:
    """Tags as lower-case slugs without duplicates, and an error message ("" when fine)."""
    tags: list[str] = []
    for name in names:
        tag = slugify(str(name))
        if not tag or len(tag) > TAG_MAX_LENGTH:
            return [], f"Tags are 1-{TAG_MAX_LENGTH} letters, digits or dashes: {name!r}."
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        return [], f"Use at most {MAX_TAGS} tags."
    return tags, ""


def tags_ensure(names: Sequence[str]) -> list[Tag]:
    """The Tag rows for normalised names, creating the missing ones.

    Knowledge exposes no public service for this yet (its own helper is private), so this
    mirrors it: tags are free, shared names, and inserting one that exists is a no-op.
    """
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=name) for name in names if name not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    return [existing[name] for name in names]
