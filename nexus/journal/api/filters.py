"""Query-parameter filters of the journal's lists (unknown values answer 400)."""

import re
from datetime import date
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field

from nexus.core.filters import IntegerFilter
from nexus.journal.models import Entry, MilestoneProgress, MilestoneStatus, Visibility
from nexus.journal.selectors import month_bounds

# YYYY-MM from 0001-01 to 9999-11: a month whose next month is a date too (lists run to its end).
MONTH_PATTERN = (
    r"^(?:(?:000[1-9]|00[1-9]\d|0[1-9]\d\d|[1-8]\d{3}|9[0-8]\d\d|99[0-8]\d|999[0-8])"
    r"-(?:0[1-9]|1[0-2])|9999-(?:0[1-9]|1[01]))$"
)


def parse_month(value: str) -> date:
    """The first day of a YYYY-MM month; a `month` field error for anything else."""
    if not re.fullmatch(MONTH_PATTERN, value):
        raise ValidationError({"month": ["Use YYYY-MM, from 0001-01 to 9999-11."]})
    return date(int(value[:4]), int(value[5:]), 1)


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-05"})
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
        start, end = month_bounds(parse_month(value))
        return queryset.filter(date__gte=start, date__lt=end)


class ProgressFilter(django_filters.FilterSet):
    learner = IntegerFilter(field_name="learner_id")
    status = django_filters.ChoiceFilter(choices=MilestoneStatus.choices)
    milestone = IntegerFilter(field_name="milestone__number")
    program = django_filters.CharFilter(field_name="milestone__program__slug")

    class Meta:
        model = MilestoneProgress
        fields = ("learner", "status", "milestone", "program")
