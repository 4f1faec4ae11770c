"""The search parameters, validated once for the web page, REST and GraphQL."""

import base64
import binascii
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from nexus.search import selectors
from nexus.search.selectors import SORTS, SearchFilters

MAX_RAW_QUERY_CHARS = 10_000
MAX_FILTER_VALUES = 10
SLUG = r"^[-a-z0-9_.+#]{1,64}$"


def encode_cursor(offset: int) -> str:
    """Relevance order has no stable key to seek from, so the cursor is an opaque offset."""
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = text.partition(":")
        offset = int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationError("This cursor is not valid.", code="invalid_cursor") from None
    if prefix != "o" or not 0 <= offset <= selectors.MAX_OFFSET:
        raise ValidationError("This cursor is not valid.", code="invalid_cursor")
    return offset


class SlugListField(forms.MultipleChoiceField):
    """Several slugs (?technology=a&technology=b), any well-formed value accepted."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def valid_value(self, value: Any) -> bool:
        return bool(re.match(SLUG, str(value)))

    def validate(self, value: Any) -> None:
        super().validate(value)
        if len(value) > MAX_FILTER_VALUES:
            raise ValidationError(f"Give at most {MAX_FILTER_VALUES} values.", code="too_many")


class IdListField(SlugListField):
    """Several ids (?author=1&author=2)."""

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit() and len(str(value)) < 19

    def clean(self, value: Any) -> list[int]:
        return [int(item) for item in super().clean(value)]


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=MAX_RAW_QUERY_CHARS, strip=True)
    type = forms.MultipleChoiceField(required=False)
    technology = SlugListField()
    tag = SlugListField()
    status = SlugListField()
    author = IdListField()
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)
    sort = forms.ChoiceField(required=False, choices=[(s, s.title()) for s in SORTS])
    cursor = forms.CharField(required=False, max_length=64)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=selectors.MAX_LIMIT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = list(selectors.document_types().items())  # type: ignore[attr-defined]

    def clean_cursor(self) -> int:
        cursor = self.cleaned_data.get("cursor")
        return decode_cursor(cursor) if cursor else 0

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        return SearchFilters(
            types=data.get("type") or (),
            technologies=data.get("technology") or (),
            tags=data.get("tag") or (),
            authors=data.get("author") or (),
            statuses=data.get("status") or (),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

    def search_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "filters": self.filters(),
            "sort": data.get("sort") or "relevance",
            "offset": data.get("cursor") or 0,
            "limit": data.get("page_size") or selectors.DEFAULT_LIMIT,
        }


class SimilarForm(forms.Form):
    """Either a document (type and id) or a text to find similar items for."""

    type = forms.ChoiceField(required=False)
    id = forms.IntegerField(required=False, min_value=1)
    text = forms.CharField(required=False, max_length=MAX_RAW_QUERY_CHARS)
    limit = forms.IntegerField(required=False, min_value=1, max_value=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = list(selectors.document_types().items())  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["limit"] = data.get("limit") or 5
        if not data.get("text") and not (data.get("type") and data.get("id")):
            raise ValidationError(
                {"text": ["Give a text, or a document's type and id."]}, code="required"
            )
        return data
