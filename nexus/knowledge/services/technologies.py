"""Growing the technology taxonomy (mentors and admins)."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from nexus.knowledge.models import Technology, TechnologyCategory
from nexus.knowledge.services.slugs import unique_slug


def _category(slug: str) -> TechnologyCategory:
    category = TechnologyCategory.objects.filter(slug=slug).first()
    if category is None:
        raise ValidationError({"category": [f"Unknown category: {slug}."]})
    return category


def _related(slugs: Sequence[str]) -> list[Technology]:
    found = list(Technology.objects.filter(slug__in=slugs))
    unknown = sorted(set(slugs) - {tech.slug for tech in found})
    if unknown:
        raise ValidationError({"related": [f"Unknown technology: {', '.join(unknown)}."]})
    return found


@transaction.atomic
def technology_create(
    *, name: str, category: str, description: str = "", related: Sequence[str] = ()
) -> Technology:
    """Add a technology to a category of the taxonomy."""
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
    technology.related.set(_related(related))
    return technology


@transaction.atomic
def technology_update(
    *,
    technology: Technology,
    name: str | None = None,
    category: str | None = None,
    description: str | None = None,
    related: Sequence[str] | None = None,
) -> Technology:
    """Rename, re-categorise or describe a technology; its slug stays, so links keep working."""
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
        technology.related.set([t for t in _related(related) if t.pk != technology.pk])
    return technology
