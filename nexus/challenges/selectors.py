"""Reads of challenges, with the joins and prefetches their callers need."""

import calendar
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from nexus.accounts.models import User, Viewer
from nexus.challenges.models import (
    Challenge,
    ChallengeStatus,
    ChallengeVote,
    Comment,
    ReputationEntry,
    Solution,
    SolutionVote,
)
from nexus.funding import selectors as funding_selectors
from nexus.knowledge import selectors as knowledge_selectors
from nexus.knowledge.models import Technology
from nexus.payments.models import Currency

LEADERBOARD_SIZE = 20
# The columns a challenge in a list shows (ChallengeListSerializer), its author's name included.
SUMMARY_COLUMNS = (
    "title",
    "excerpt",
    "status",
    "score",
    "accepted_solution",
    "duplicate_of",
    "answer_count",
    "author__display_name",
    "created_at",
    "updated_at",
    "solved_at",
)


def challenge_list() -> QuerySet[Challenge]:
    """Challenges with author, accepted solution, technologies and tags loaded, and their open
    bounty totals (`bounty_etb`, `bounty_usd`)."""
    return with_open_bounties(
        Challenge.objects.select_related("author", "duplicate_of").prefetch_related(
            Prefetch("technologies", queryset=Technology.objects.order_by("name")),
            "tags",
        )
    )


def with_open_bounties(challenges: QuerySet[Challenge]) -> QuerySet[Challenge]:
    """Each challenge's open bounty total per currency, as subqueries of the list's own query
    (funding owns bounties; the list only sorts and filters by these)."""
    return challenges.annotate(
        bounty_etb=funding_selectors.open_bounty_total_subquery(Currency.ETB),
        bounty_usd=funding_selectors.open_bounty_total_subquery(Currency.USD),
    )


def challenge_summaries() -> QuerySet[Challenge]:
    """Challenges for lists: the columns a list shows (the excerpt, not the body), the author's
    name, technologies and tags as `technology_list` and `tag_list`."""
    return with_open_bounties(
        Challenge.objects.select_related("author")
        .only(*SUMMARY_COLUMNS)
        .prefetch_related(*knowledge_selectors.taxonomy_lists())
    )


def unanswered_challenges(
    *,
    technology_slugs: Collection[str],
    tag_names: Collection[str],
    since: datetime,
    exclude_author_id: int | None = None,
    limit: int = 20,
) -> list[Challenge]:
    """Open challenges without an answer, asked since a moment, in any of these technologies or
    tags, newest first (for digests); one query, whatever the number of follows."""
    if not technology_slugs and not tag_names:
        return []
    matches = Q(technologies__slug__in=list(technology_slugs)) | Q(tags__name__in=list(tag_names))
    ids = (
        Challenge.objects.filter(
            matches, status=ChallengeStatus.OPEN, answer_count=0, created_at__gte=since
        )
        .exclude(author_id=exclude_author_id)
        .values("id")
    )
    return list(Challenge.objects.filter(id__in=ids).order_by("-created_at", "-id")[:limit])


def unanswered_challenge_targets(*, since: datetime) -> set[tuple[str, str]]:
    """Follow targets (`knowledge.technology` slug, `challenges.tag` name) of the open, unanswered
    challenges asked since a moment: whoever follows one gets the digest section."""
    recent = Challenge.objects.filter(
        status=ChallengeStatus.OPEN, answer_count=0, created_at__gte=since
    )
    techs = recent.filter(technologies__isnull=False).values_list("technologies__slug", flat=True)
    tags = recent.filter(tags__isnull=False).values_list("tags__name", flat=True)
    return {("knowledge.technology", slug) for slug in techs.distinct()} | {
        ("challenges.tag", name) for name in tags.distinct()
    }


def challenge_get(*, pk: Any) -> Challenge | None:
    """One challenge for its page or resource."""
    return challenge_list().filter(pk=pk).first()


def solution_list(*, challenge: Challenge | None = None) -> QuerySet[Solution]:
    """Solutions with their author and challenge; those of one challenge when given."""
    solutions = Solution.objects.select_related("author", "challenge")
    return solutions.filter(challenge=challenge) if challenge is not None else solutions


def solution_get(*, pk: Any) -> Solution | None:
    return solution_list().filter(pk=pk).first()


def solutions_for_page(*, challenge: Challenge) -> list[Solution]:
    """A challenge's solutions, the accepted one first, then by score, with comments loaded."""
    solutions = list(
        solution_list(challenge=challenge)
        .prefetch_related(_comment_threads("comments"))
        .order_by("-score", "created_at", "id")
    )
    solutions.sort(key=lambda s: s.pk != challenge.accepted_solution_id)
    return solutions


def _comment_threads(lookup: str) -> "Prefetch[Any]":
    replies = Comment.objects.select_related("author").order_by("created_at", "id")
    return Prefetch(
        lookup,
        queryset=Comment.objects.filter(parent=None)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "id"),
        to_attr="threads",
    )


def challenge_comment_threads(*, challenge: Challenge) -> QuerySet[Comment]:
    """Top-level comments on the challenge itself, with their replies."""
    replies = Comment.objects.select_related("author").order_by("created_at", "id")
    return (
        Comment.objects.filter(challenge=challenge, solution=None, parent=None)
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "id")
    )


def comment_list(*, challenge: Challenge, solution: Solution | None = None) -> QuerySet[Comment]:
    """Every comment (and reply) in one thread, oldest first, for the API."""
    return Comment.objects.filter(challenge=challenge, solution=solution).select_related("author")


def user_votes(
    *, user: Viewer, challenge: Challenge, solutions: list[Solution]
) -> tuple[int, dict[int, int]]:
    """The signed-in user's vote on a challenge and on each of its solutions (0 when none)."""
    if not user.is_authenticated:
        return 0, {}
    own = ChallengeVote.objects.filter(challenge=challenge, user=user).values_list(
        "value", flat=True
    )
    solution_votes = SolutionVote.objects.filter(
        user=user, solution__in=[s.pk for s in solutions]
    ).values_list("solution_id", "value")
    return next(iter(own), 0), dict(solution_votes)


# --- Reputation -----------------------------------------------------------------------------
def reputation_of(*, user: User) -> int:
    """A user's reputation: the sum of their ledger rows (one indexed aggregate)."""
    total = ReputationEntry.objects.filter(user=user).aggregate(points=Sum("points"))["points"]
    return int(total or 0)


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    user: User
    points: int


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of a month and of the month after it, in the current time zone."""
    days = calendar.monthrange(month.year, month.month)[1]
    start = datetime(month.year, month.month, 1, tzinfo=timezone.get_current_timezone())
    end = (start.replace(day=days) + timedelta(days=1)).replace(day=1)
    return start, end


def leaderboard(
    *,
    technology: Technology | None = None,
    month: date | None = None,
    limit: int = LEADERBOARD_SIZE,
) -> list[LeaderboardRow]:
    """Users by points earned, overall or on one technology's challenges and/or in one month."""
    entries = ReputationEntry.objects.all()
    if technology is not None:
        entries = entries.filter(challenge__technologies=technology)
    if month is not None:
        start, end = month_bounds(month)
        entries = entries.filter(created_at__gte=start, created_at__lt=end)
    totals = list(
        entries.values("user_id")
        .annotate(points=Sum("points"))
        .filter(points__gt=0)
        .order_by("-points", "user_id")[:limit]
    )
    users = User.objects.in_bulk([row["user_id"] for row in totals])
    return [
        LeaderboardRow(rank=number, user=users[row["user_id"]], points=row["points"])
        for number, row in enumerate(totals, start=1)
    ]


# --- Reads for the learning journal ---------------------------------------------------------


def accepted_solutions(*, author_ids: Iterable[int] | None = None) -> QuerySet[Solution]:
    """Accepted solutions (optionally of some authors); `challenge__solved_at` dates acceptance."""
    solutions = Solution.objects.filter(accepted_for__isnull=False)
    return solutions if author_ids is None else solutions.filter(author_id__in=author_ids)


def challenge_topic_counts(*, author_ids: Iterable[int]) -> QuerySet[Any]:
    """Challenges posted by some authors per technology: rows of `name`, `challenges`."""
    through = Challenge.technologies.through
    return (
        through.objects.filter(challenge__author_id__in=author_ids)
        .values(name=F("technology__name"))
        .annotate(challenges=Count("challenge_id", distinct=True))
        .order_by("-challenges", "name")
    )


def challenges_posted_between(*, start: datetime, end: datetime) -> QuerySet[Challenge]:
    """Challenges posted in [start, end), duplicates left out, without their joins."""
    return Challenge.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        status="duplicate"
    )


def first_solution_at() -> "Min":
    """Annotation for a challenge: when its first solution was posted (None without one)."""
    return Min("solutions__created_at")


def open_challenges_of(*, author: User, limit: int) -> list[Challenge]:
    """An author's unsolved challenges, newest first, at most `limit` of them."""
    challenges = Challenge.objects.filter(author=author, status=ChallengeStatus.OPEN)
    columns = ("title", "status", "score", "answer_count", "created_at")
    return list(challenges.only(*columns).order_by("-created_at", "-id")[:limit])


def has_posted_challenge(*, author: User) -> bool:
    """Whether this user ever asked a challenge."""
    return Challenge.objects.filter(author=author).exists()
