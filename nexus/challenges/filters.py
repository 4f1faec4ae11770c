"""Query-string filters for challenge and solution lists (an unknown value is a 400)."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from nexus.accounts.models import User
from nexus.challenges.models import Challenge, ChallengeStatus, Solution
from nexus.knowledge.models import Tag, Technology

SORTS = {
    "newest": ("-created_at", "-id"),
    "votes": ("-score", "-id"),
    "solved": ("-solved_at", "-id"),
    "bounty": ("-bounty_etb", "-bounty_usd", "-id"),
}
BOOLEAN_CHOICES = [("true", "true"), ("false", "false")]
SORT_CHOICES = [
    ("newest", "Newest"),
    ("votes", "Most voted"),
    ("solved", "Recently solved"),
    ("bounty", "Largest bounty"),
]


def ordering_for(sort: str | None) -> tuple[str, ...]:
    """The list's ordering for a `sort` value (newest first when none or unknown)."""
    return SORTS.get(sort or "", SORTS["newest"])


class ChallengeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ChallengeStatus.choices)
    technology = django_filters.ModelChoiceFilter(
        field_name="technologies", to_field_name="slug", queryset=Technology.objects.all()
    )
    tag = django_filters.ModelChoiceFilter(
        field_name="tags", to_field_name="name", queryset=Tag.objects.all()
    )
    author = django_filters.ModelChoiceFilter(queryset=User.objects.filter(is_active=True))
    mine = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES, method="filter_mine", label="Only my challenges"
    )
    unanswered = django_filters.ChoiceFilter(choices=BOOLEAN_CHOICES, method="filter_unanswered")
    has_bounty = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES, method="filter_has_bounty", label="With an open bounty"
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_sort", label="Order (newest, votes, solved, bounty)"
    )

    class Meta:
        model = Challenge
        fields = (
            *("status", "technology", "tag", "author", "mine", "unanswered", "has_bounty"),
            "sort",
        )

    def filter_mine(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value != "true":
            return queryset
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return queryset.filter(author=user)

    def filter_unanswered(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == "true":
            return queryset.filter(answer_count=0)
        return queryset.filter(answer_count__gt=0)

    def filter_has_bounty(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # The list's queryset carries the totals (selectors.with_open_bounties).
        with_bounty = Q(bounty_etb__gt=0) | Q(bounty_usd__gt=0)
        return queryset.filter(with_bounty if value == "true" else ~with_bounty)

    def filter_sort(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Only solved challenges have a solved_at, and a cursor cannot stand on a NULL.
        return queryset.filter(solved_at__isnull=False) if value == "solved" else queryset


class SolutionFilter(django_filters.FilterSet):
    author = django_filters.ModelChoiceFilter(queryset=User.objects.filter(is_active=True))
    challenge = django_filters.ModelChoiceFilter(queryset=Challenge.objects.all())
    mine = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES, method="filter_mine", label="Only my solutions"
    )

    class Meta:
        model = Solution
        fields = ("author", "challenge", "mine")

    def filter_mine(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value != "true":
            return queryset
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return queryset.filter(author=user)
