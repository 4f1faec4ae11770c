"""The technology taxonomy: growing it (mentors and admins), and resolving the slugs that other
content (articles, challenges, journal entries and programs) links to."""

from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from nexus.accounts.models import User
from nexus.knowledge import policies
from nexus.knowledge.models import Technology, TechnologyCategory
from nexus.knowledge.services.slugs import unique_slug

MAX_TECHNOLOGIES = 10


def _category(slug: str) -> TechnologyCategory:
    category = TechnologyCategory.objects.filter(slug=slug).first()
    if category is None:
        raise ValidationError({"category": [f"Unknown category: {slug}."]})
    return category


def technologies_resolve(
    *,
    slugs: Iterable[str],
    field: str = "technologies",
    limit: int | None = MAX_TECHNOLOGIES,
    known: Mapping[str, Technology] | None = None,
) -> list[Technology]:
    """The technologies named, in order; an unknown slug or more than `limit` is a `field` error.
    `known` (slug -> technology, read once for many calls) takes the place of reading them."""
    wanted = list(dict.fromkeys(slugs))
    if limit is not None and len(wanted) > limit:
        raise ValidationError({field: [f"Choose at most {limit} technologies."]})
    found = known
    if found is None:
        found = {tech.slug: tech for tech in Technology.objects.filter(slug__in=wanted)}
    unknown = [slug for slug in wanted if slug not in found]
    if unknown:
        raise ValidationError({field: [f"Unknown technology: {', '.join(unknown)}."]})
    return [found[slug] for slug in wanted]


@transaction.atomic
def technology_create(
    *,
    actor: User,
    name: str,
    category: str,
    description: str = "",
    related: Sequence[str] = (),
) -> Technology:
    """Add a technology to a category of the taxonomy (mentors and admins)."""
    if not policies.can_manage_technologies(actor):
        raise PermissionDenied("Only mentors and admins add technologies.")
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["A name is required."]})
    if Technology.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": ["This technology already exists."]})
    technology = Technology(
        name=name,
        category=_category(category),
        description=description.strip(),
        slug=unique_slug(Technology, name, max_length=64),
    )
    technology.full_clean()
    technology.save()
    technology.related.set(technologies_resolve(slugs=related, field="related", limit=None))
    return technology


@transaction.atomic
def technology_update(
    *,
    actor: User,
    technology: Technology,
    name: str | None = None,
    category: str | None = None,
    description: str | None = None,
    related: Sequence[str] | None = None,
) -> Technology:
    """Rename, re-categorise or describe a technology; its slug stays, so links keep working."""
    if not policies.can_manage_technologies(actor):
        raise PermissionDenied("Only mentors and admins edit technologies.")
    if name is not None:
        name = name.strip()
        clash = Technology.objects.filter(name__iexact=name).exclude(pk=technology.pk).exists()
        if not name or clash:
            raise ValidationError({"name": ["A unique, non-empty name is required."]})
        technology.name = name
    if category is not None:
        technology.category = _category(category)
    if description is not None:
        technology.description = description.strip()
    technology.full_clean()
    technology.save()
    if related is not None:
        found = technologies_resolve(slugs=related, field="related", limit=None)
        technology.related.set([t for t in found if t.pk != technology.pk])
    return technology
