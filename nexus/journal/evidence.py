"""Evidence the journal gathers from the rest of Nexus, through providers registered by kind.

A provider answers two questions about one kind of work (articles written, challenges solved,
APIs registered, feedback given): which items did a learner produce between two dates, and how
many did a set of learners produce per week. Other apps register their own provider, e.g. in
their handlers.py: `evidence.register(EvidenceProvider(kind="solution", ...))`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.urls import NoReverseMatch, reverse
from django.utils import timezone


@dataclass(frozen=True)
class EvidenceItem:
    kind: str
    title: str
    url: str
    occurred_on: date


ItemsFn = Callable[[Any, date, date], list[EvidenceItem]]
WeeklyFn = Callable[[Iterable[int] | None, date], dict[date, int]]


@dataclass(frozen=True)
class EvidenceProvider:
    kind: str
    label: str
    items: ItemsFn
    weekly_counts: WeeklyFn


_providers: dict[str, EvidenceProvider] = {}

# Kinds that other features will provide once they land; listed so pages can say so.
AWAITED_KINDS = {
    "solution": "Challenges solved (challenges feature)",
    "api": "APIs registered (collaboration hub)",
    "feedback": "Endpoint feedback given (collaboration hub)",
}


def register(provider: EvidenceProvider) -> EvidenceProvider:
    """Add (or replace) the provider for its kind."""
    _providers[provider.kind] = provider
    return provider


def providers() -> list[EvidenceProvider]:
    """Registered providers in a stable order."""
    return [_providers[kind] for kind in sorted(_providers)]


def gather(user: Any, start: date, end: date) -> list[EvidenceItem]:
    """Everything every provider knows the user produced in [start, end)."""
    found = [item for provider in providers() for item in provider.items(user, start, end)]
    return sorted(found, key=lambda item: (item.occurred_on, item.kind, item.title))


def aware_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start, end) dates as timezone-aware datetimes, for timestamp columns."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end, time.min, tzinfo=zone),
    )


def weekly_counts(queryset: QuerySet[Any], field: str) -> dict[date, int]:
    """Rows per week of a timestamp field, counted in the database."""
    rows = (
        queryset.annotate(week=TruncWeek(field))
        .values("week")
        .annotate(n=Count("id"))
        .order_by("week")
    )
    return {_as_date(row["week"]): row["n"] for row in rows}


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


# --- Articles (knowledge) -------------------------------------------------------------------


def _article_queryset(user: Any = None) -> QuerySet[Any]:
    """Live articles the user may see (published ones for None), read through knowledge."""
    from nexus.knowledge import selectors as knowledge_selectors
    from nexus.knowledge.models import ArticleStatus

    articles = knowledge_selectors.article_list(user=user).exclude(status=ArticleStatus.ARCHIVED)
    # Only ids, titles and dates are read here: drop the list's joins and prefetches.
    return articles.select_related(None).prefetch_related(None)


def _article_url(slug: str) -> str:
    try:
        return reverse("knowledge:article", kwargs={"slug": slug})
    except NoReverseMatch:
        return f"/api/v1/articles/{slug}/"


def _article_items(user: Any, start: date, end: date) -> list[EvidenceItem]:
    low, high = aware_bounds(start, end)
    rows = (
        _article_queryset(user)
        .filter(author_id=user.pk, created_at__gte=low, created_at__lt=high)
        .order_by("created_at", "id")
        .values_list("slug", "title", "created_at")
    )
    return [
        EvidenceItem(kind="article", title=title, url=_article_url(slug), occurred_on=at.date())
        for slug, title, at in rows
    ]


def _article_weekly(author_ids: Iterable[int] | None, since: date) -> dict[date, int]:
    """Published articles per week of creation (drafts are their author's business)."""
    low, _ = aware_bounds(since, since + timedelta(days=1))
    queryset = _article_queryset().filter(created_at__gte=low)
    if author_ids is not None:
        queryset = queryset.filter(author_id__in=author_ids)
    return weekly_counts(queryset, "created_at")


register(
    EvidenceProvider(
        kind="article",
        label="Articles written",
        items=_article_items,
        weekly_counts=_article_weekly,
    )
)
