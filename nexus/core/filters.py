"""Query-parameter filters every app's lists share."""

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id, a position): django-filter's NumberFilter reads any decimal, so
    ?author=0.5 filtered as if it meant something and 1e300 failed a decimal limit."""

    field_class = forms.IntegerField

    def filter(self, qs: Any, value: Any) -> Any:
        # Ids are 64-bit (PostgreSQL's bigint, SQLite's INTEGER): no row has one outside that
        # range, and SQLite refused such a number outright, where PostgreSQL found nothing.
        if value is not None and not -(2**63) <= value < 2**63:
            return qs.none()
        return super().filter(qs, value)


class _TrueOrFalseField(forms.NullBooleanField):
    widget = forms.TextInput  # NullBooleanField's own widget turns any other word into None

    def to_python(self, value: Any) -> Any:
        if value in (None, "", True, False):
            return value if value != "" else None
        text = str(value).lower()
        if text not in ("true", "false"):
            raise ValidationError("Use true or false.", code="invalid")
        return text == "true"


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class BooleanFilter(django_filters.BooleanFilter):
    """true or false: django-filter's BooleanFilter reads any other word as "not given", so
    ?addressed=maybe silently listed everything."""

    field_class = _TrueOrFalseField
