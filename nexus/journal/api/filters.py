"""Query-parameter filters of the journal's lists (unknown values answer 400)."""

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field

from nexus.core import months
from nexus.core.filters import IntegerFilter
from nexus.journal.models import Entry, MilestoneProgress, MilestoneStatus, Visibility
from nexus.journal.selectors import month_bounds


@extend_schema_field(
    {"type": "string", "pattern": months.MONTH_SCHEMA_PATTERN, "example": "2026-05"}
)
class MonthFilter(django_filters.CharFilter):
    """A month, YYYY-MM."""


class EntryFilter(django_filters.FilterSet):
    author = IntegerFilter(field_name="author_id")
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices)
    date = django_filters.DateFromToRangeFilter()
    month = MonthFilter(method="filter_month", help_text="YYYY-MM")
    topic = django_filters.CharFilter(field_name="topics__slug")

    class Meta:
        model = Entry
        fields = ("author", "visibility", "date", "month", "topic")

    def filter_month(self, queryset: QuerySet[Entry], name: str, value: str) -> Any:
        try:
            first = months.parse_month(value)
        except ValueError as exc:
            raise ValidationError({"month": [str(exc)]}) from exc
        start, end = month_bounds(first)
        return queryset.filter(date__gte=start, date__lt=end)


class ProgressFilter(django_filters.FilterSet):
    learner = IntegerFilter(field_name="learner_id")
    status = django_filters.ChoiceFilter(choices=MilestoneStatus.choices)
    milestone = IntegerFilter(field_name="milestone__number")
    program = django_filters.CharFilter(field_name="milestone__program__slug")

    class Meta:
        model = MilestoneProgress
        fields = ("learner", "status", "milestone", "program")
