from typing import Any

from rest_framework import serializers


class StrictSerializerMixin:
    """Refuses input fields the serializer does not know, instead of silently dropping them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            known = set(self.fields)  # type: ignore[attr-defined]
            unknown = sorted(set(data) - known)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field is not accepted here."] for name in unknown},
                    code="unknown_field",
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    """An input serializer that rejects unknown fields."""
