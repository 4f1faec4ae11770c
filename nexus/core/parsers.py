"""JSON request bodies with a nesting limit: the REST API, GraphQL and the mocks parse here.

json.loads recurses once per level of nesting, so a body of 100,000 `[` raised RecursionError,
which no caller expected (a 500), and a body just under the interpreter's limit still reached
code that walks it recursively again. A document nested past NEXUS_MAX_JSON_DEPTH levels is
refused, with a message saying so, before anything else sees it.
"""

import json
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant


class JSONTooDeep(ValueError):
    """The document nests arrays and objects deeper than allowed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The JSON is nested more than {limit} levels deep.")
        self.limit = limit


def loads_bounded(text: str | bytes, *, max_depth: int | None = None, **options: Any) -> Any:
    """json.loads, raising JSONTooDeep past `max_depth` levels (default NEXUS_MAX_JSON_DEPTH)."""
    limit = settings.NEXUS_MAX_JSON_DEPTH if max_depth is None else max_depth
    try:
        value = json.loads(text, **options)
    except RecursionError as exc:
        raise JSONTooDeep(limit) from exc
    if _nested_deeper_than(value, limit):
        raise JSONTooDeep(limit)
    return value


def _nested_deeper_than(value: Any, limit: int) -> bool:
    # A loop, not recursion: the document may be nested just under the interpreter's limit.
    pending = [(value, 1)] if isinstance(value, dict | list) else []
    while pending:
        container, depth = pending.pop()
        if depth > limit:
            return True
        children = container.values() if isinstance(container, dict) else container
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering a document nested too deeply with a 400 that says so."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        constants = strict_constant if self.strict else None
        try:
            return loads_bounded(stream.read().decode(encoding), parse_constant=constants)
        except JSONTooDeep as exc:
            raise ParseError(str(exc), code="too_deep") from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
