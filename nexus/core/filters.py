"""Query-parameter filters every app's lists share."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id, a position): django-filter's NumberFilter reads any decimal, so
    ?author=0.5 filtered as if it meant something and 1e300 failed a decimal limit."""

    field_class = forms.IntegerField
