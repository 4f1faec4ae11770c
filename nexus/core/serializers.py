from functools import cached_property
from typing import Any

from django.http import QueryDict
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class StrictSerializerMixin:
    """Refuses input fields the serializer does not know, instead of silently dropping them, and
    in JSON a number where text belongs (DRF would store 5 as "5"): what the schema documents
    (additionalProperties false, type string) is what is accepted."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            known = set(self.fields)  # type: ignore[attr-defined]
            unknown = sorted(set(data) - known)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field is not accepted here."] for name in unknown},
                    code="unknown_field",
                )
            if not isinstance(data, QueryDict):
                _refuse_numbers_as_text(self.fields, data)  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


def _refuse_numbers_as_text(fields: dict[str, serializers.Field], data: dict[str, Any]) -> None:
    wrong = {
        name: ["Send text here, not a number."]
        for name, field in fields.items()
        if name in data and not field.read_only and _number_for_text(field, data[name])
    }
    if wrong:
        raise serializers.ValidationError(wrong, code="invalid")


def _number_for_text(field: serializers.Field, value: Any) -> bool:
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        return any(_number_for_text(field.child, item) for item in value)
    text_field = isinstance(field, serializers.CharField | serializers.SlugRelatedField)
    return text_field and isinstance(value, int | float)


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    """An input serializer that rejects unknown fields."""


class PagePathField(serializers.CharField):
    """The path of a row's web page, from the URL name and the row's key (`source`): reverse()
    runs once per serializer, so once per list, with a placeholder key spliced out, rather than
    once per row (a tenth of a list's time)."""

    # Digits: every path converter (int, slug, str) takes them, and no URL prefix holds them.
    PLACEHOLDER = "8395720461"

    def __init__(self, url_name: str, **kwargs: Any) -> None:
        self.url_name = url_name
        super().__init__(read_only=True, **kwargs)

    @cached_property
    def _around_key(self) -> tuple[str, str]:
        before, _, after = reverse(self.url_name, args=[self.PLACEHOLDER]).rpartition(
            self.PLACEHOLDER
        )
        return before, after

    def to_representation(self, value: Any) -> str:
        before, after = self._around_key
        return f"{before}{value}{after}"


@extend_schema_field(OpenApiTypes.STR)
class PrefetchedSlugField(serializers.SlugRelatedField[Any]):
    """A slug field over the plain list a to_attr prefetch made (`source`), which the schema
    generator cannot follow to the model: it says what the field is, a string."""
