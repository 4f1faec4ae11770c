"""Evidence the journal gathers from the rest of Nexus, through providers registered by kind.

A provider answers two questions about one kind of work (articles written, challenges solved,
APIs registered, endpoint feedback given): which items did a learner produce between two dates,
and how many did a set of learners produce per week. All four are registered below; they read
the other apps only through their selectors, and each answers with one query.

This module is the journal's one door to the other apps' work: the dashboards (analytics.py) read
it through the providers, and the challenge charts through the challenge reads beside the
solution provider.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from nexus.accounts.models import User, Viewer
from nexus.challenges import selectors as challenge_selectors
from nexus.collab import selectors as collab_selectors
from nexus.core import clock
from nexus.knowledge import selectors as knowledge_selectors
from nexus.knowledge.models import Article, ArticleStatus


@dataclass(frozen=True)
class EvidenceItem:
    kind: str
    title: str
    url: str
    occurred_on: date


ItemsFn = Callable[[User, date, date], list[EvidenceItem]]
WeeklyFn = Callable[[Iterable[int] | None, date], dict[date, int]]


@dataclass(frozen=True)
class EvidenceProvider:
    kind: str
    label: str
    items: ItemsFn
    weekly_counts: WeeklyFn


_providers: dict[str, EvidenceProvider] = {}


def register(provider: EvidenceProvider) -> EvidenceProvider:
    """Add (or replace) the provider for its kind."""
    _providers[provider.kind] = provider
    return provider


def providers() -> list[EvidenceProvider]:
    """Registered providers in a stable order."""
    return [_providers[kind] for kind in sorted(_providers)]


def gather(user: User, start: date, end: date) -> list[EvidenceItem]:
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


def _local_date(value: datetime | None) -> date:
    if value is None:  # never for rows filtered on the column; keeps the type honest
        return clock.today()
    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def _url(name: str, fallback: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return fallback


# --- Articles (knowledge) -------------------------------------------------------------------


def _article_queryset(user: Viewer | None = None) -> QuerySet[Article]:
    """Live articles the user may see (published ones for None), read through knowledge."""
    articles = knowledge_selectors.article_list(user=user).exclude(status=ArticleStatus.ARCHIVED)
    # Only ids, titles and dates are read here: drop the list's joins and prefetches.
    return articles.select_related(None).prefetch_related(None)


def _article_url(slug: str) -> str:
    try:
        return reverse("knowledge:article", kwargs={"slug": slug})
    except NoReverseMatch:
        return f"/api/v1/articles/{slug}/"


def _article_items(user: User, start: date, end: date) -> list[EvidenceItem]:
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


# --- Solutions (challenges) -----------------------------------------------------------------
# "Challenges solved" = the learner's solutions that were accepted, dated by the acceptance
# (`Challenge.solved_at`). Challenges the learner posted that someone else solved are not theirs
# to claim as evidence, so they are left out.


def _solution_items(user: User, start: date, end: date) -> list[EvidenceItem]:
    low, high = aware_bounds(start, end)
    rows = (
        challenge_selectors.accepted_solutions(author_ids=[user.pk])
        .filter(challenge__solved_at__gte=low, challenge__solved_at__lt=high)
        .order_by("challenge__solved_at", "id")
        .values_list("challenge_id", "challenge__title", "challenge__solved_at")
    )
    return [
        EvidenceItem(
            kind="solution",
            title=title,
            url=_url("challenges:detail", f"/api/v1/challenges/{pk}/", challenge_id=pk),
            occurred_on=_local_date(at),
        )
        for pk, title, at in rows
    ]


def _solution_weekly(author_ids: Iterable[int] | None, since: date) -> dict[date, int]:
    low, _ = aware_bounds(since, since + timedelta(days=1))
    queryset = challenge_selectors.accepted_solutions(author_ids=author_ids).filter(
        challenge__solved_at__gte=low
    )
    return weekly_counts(queryset, "challenge__solved_at")


def challenges_posted(start: date, end: date) -> QuerySet[Any]:
    """Challenges posted in [start, end), duplicates left out, for the program's charts."""
    low, high = aware_bounds(start, end)
    return challenge_selectors.challenges_posted_between(start=low, end=high)


def first_solution_at() -> Any:
    """Annotation for a challenge: when its first solution was posted (None without one)."""
    return challenge_selectors.first_solution_at()


def challenge_topic_counts(author_ids: Any) -> QuerySet[Any]:
    """Challenges some learners posted, per technology: rows of `name`, `challenges`."""
    return challenge_selectors.challenge_topic_counts(author_ids=author_ids)


register(
    EvidenceProvider(
        kind="solution",
        label="Challenges solved",
        items=_solution_items,
        weekly_counts=_solution_weekly,
    )
)


# --- APIs registered (collaboration hub) ----------------------------------------------------


def _api_items(user: User, start: date, end: date) -> list[EvidenceItem]:
    low, high = aware_bounds(start, end)
    rows = (
        collab_selectors.apis_registered_by(user_ids=[user.pk])
        .filter(created_at__gte=low, created_at__lt=high)
        .order_by("created_at", "id")
        .values_list("slug", "name", "created_at")
    )
    return [
        EvidenceItem(
            kind="api",
            title=name,
            url=_url("collab:api_detail", f"/api/v1/apis/{slug}/", slug=slug),
            occurred_on=_local_date(at),
        )
        for slug, name, at in rows
    ]


def _api_weekly(author_ids: Iterable[int] | None, since: date) -> dict[date, int]:
    low, _ = aware_bounds(since, since + timedelta(days=1))
    ids = None if author_ids is None else list(author_ids)
    queryset = collab_selectors.apis_registered_by(user_ids=ids).filter(created_at__gte=low)
    return weekly_counts(queryset, "created_at")


register(
    EvidenceProvider(
        kind="api",
        label="APIs registered",
        items=_api_items,
        weekly_counts=_api_weekly,
    )
)


# --- Endpoint feedback given (collaboration hub) --------------------------------------------


def _feedback_items(user: User, start: date, end: date) -> list[EvidenceItem]:
    low, high = aware_bounds(start, end)
    rows = (
        collab_selectors.feedback_given_by(author_ids=[user.pk])
        .filter(created_at__gte=low, created_at__lt=high)
        .order_by("created_at", "id")
        .values_list("pk", "api__slug", "api__name", "operation_key", "created_at")
    )
    # The fragment keeps each item's URL unique: milestone forms key their choices by URL.
    return [
        EvidenceItem(
            kind="feedback",
            title=f"{name}: {operation}",
            url=_url("collab:api_detail", f"/api/v1/apis/{slug}/", slug=slug) + f"#feedback-{pk}",
            occurred_on=_local_date(at),
        )
        for pk, slug, name, operation, at in rows
    ]


def _feedback_weekly(author_ids: Iterable[int] | None, since: date) -> dict[date, int]:
    low, _ = aware_bounds(since, since + timedelta(days=1))
    queryset = collab_selectors.feedback_given_by(author_ids=author_ids).filter(created_at__gte=low)
    return weekly_counts(queryset, "created_at")


register(
    EvidenceProvider(
        kind="feedback",
        label="Endpoint feedback given",
        items=_feedback_items,
        weekly_counts=_feedback_weekly,
    )
)
