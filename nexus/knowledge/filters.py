"""Filters shared by the REST API and the web pages; unknown values are a 400, not a guess."""

import django_filters
from django.db.models import QuerySet
from django.utils.text import slugify

from nexus.core.filters import IntegerFilter
from nexus.knowledge.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    Technology,
    TechnologyCategory,
)


class ArticleFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ArticleKind.choices)
    status = django_filters.ChoiceFilter(
        choices=ArticleStatus.choices,
        method="filter_status",
        help_text="published (the default), draft or archived: only those you may see.",
    )
    technology = django_filters.ModelChoiceFilter(
        field_name="technologies",
        to_field_name="slug",
        queryset=Technology.objects.all(),
        help_text="A technology slug.",
    )
    tag = django_filters.CharFilter(method="filter_tag", help_text="A tag.")
    author = IntegerFilter(field_name="author_id", help_text="An author's user id.")
    search = django_filters.CharFilter(
        method="filter_search", max_length=200, help_text="Words in the title."
    )

    class Meta:
        model = Article
        fields = ("kind", "status", "technology", "tag", "author", "search")

    def filter_queryset(self, queryset: QuerySet[Article]) -> QuerySet[Article]:
        # Without a status filter, lists show published articles only.
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=ArticleStatus.PUBLISHED)
        return super().filter_queryset(queryset)

    def filter_status(
        self, queryset: QuerySet[Article], name: str, value: str
    ) -> QuerySet[Article]:
        return queryset.filter(status=value)

    def filter_tag(self, queryset: QuerySet[Article], name: str, value: str) -> QuerySet[Article]:
        return queryset.filter(tags__name=slugify(value))

    def filter_search(
        self, queryset: QuerySet[Article], name: str, value: str
    ) -> QuerySet[Article]:
        for word in value.split()[:8]:
            queryset = queryset.filter(title__icontains=word)
        return queryset


class TechnologyFilter(django_filters.FilterSet):
    category = django_filters.ModelChoiceFilter(
        field_name="category",
        to_field_name="slug",
        queryset=TechnologyCategory.objects.all(),
        help_text="A category slug.",
    )

    class Meta:
        model = Technology
        fields = ("category",)
