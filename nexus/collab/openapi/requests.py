"""Match an HTTP request to a spec operation and check it against the operation's schemas."""

import re
from dataclasses import dataclass
from typing import Any

from openapi_schema_validator import OAS30Validator, OAS31Validator

from nexus.collab.openapi.examples import schema_type
from nexus.core.parsers import JSONTooDeep, loads_bounded

PARAM = re.compile(r"\{([^}/]+)\}")


@dataclass
class Candidate:
    method: str
    path: str
    detail: dict[str, Any]
    ref: Any = None


def path_pattern(template: str) -> re.Pattern[str]:
    parts = PARAM.split(template)
    regex = "".join(
        f"(?P<p{index // 2}>[^/]+)" if index % 2 else re.escape(part)
        for index, part in enumerate(parts)
    )
    return re.compile(f"^{regex}/?$")


def match_path(
    candidates: list[Candidate], path: str
) -> tuple[list[Candidate], dict[int, dict[str, str]]]:
    """The operations whose path template matches, fewest parameters (most literal) first."""
    matched = []
    values: dict[int, dict[str, str]] = {}
    for candidate in candidates:
        found = path_pattern(candidate.path).match(path)
        if found:
            names = PARAM.findall(candidate.path)
            values[id(candidate)] = {
                name: found.group(f"p{index}") for index, name in enumerate(names)
            }
            matched.append(candidate)
    matched.sort(key=lambda c: len(PARAM.findall(c.path)))
    return matched, values


def _coerce(value: str, schema: dict[str, Any]) -> Any:
    kind = schema_type(schema) if isinstance(schema, dict) else None
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def _schema_errors(schema: Any, value: Any, where: str, oas31: bool) -> list[dict[str, str]]:
    if not isinstance(schema, dict):
        return []
    validator_class = OAS31Validator if oas31 else OAS30Validator
    errors = []
    for error in validator_class(schema).iter_errors(value):
        suffix = ".".join(str(part) for part in error.absolute_path)
        field = f"{where}.{suffix}" if suffix else where
        errors.append({"field": field, "code": str(error.validator), "message": error.message})
    return errors[:20]


def validate_request(
    detail: dict[str, Any],
    *,
    path_values: dict[str, str],
    query: dict[str, list[str]],
    headers: dict[str, str],
    content_type: str,
    body: bytes,
    oas31: bool,
) -> list[dict[str, str]]:
    """Every way the request does not match the operation, as field errors."""
    errors: list[dict[str, str]] = []
    lowered_headers = {k.lower(): v for k, v in headers.items()}
    for parameter in detail.get("parameters") or []:
        location, name = parameter.get("in"), parameter.get("name")
        schema = parameter.get("schema") or {}
        where = f"{location}.{name}"
        if location == "path":
            raw: Any = path_values.get(name)
        elif location == "query":
            values = query.get(name)
            raw = values if (values and schema_type(schema) == "array") else None
            if raw is None and values:
                raw = values[0]
        elif location == "header":
            raw = lowered_headers.get(str(name).lower())
        else:
            continue
        if raw is None:
            if parameter.get("required"):
                errors.append(
                    {"field": where, "code": "required", "message": f"{where} is required."}
                )
            continue
        if isinstance(raw, list):
            item_schema = schema.get("items") or {}
            value: Any = [_coerce(v, item_schema) for v in raw]
        else:
            value = _coerce(raw, schema)
        errors.extend(_schema_errors(schema, value, where, oas31))
    errors.extend(_body_errors(detail.get("requestBody"), content_type, body, oas31))
    return errors


def _body_errors(
    request_body: dict[str, Any] | None, content_type: str, body: bytes, oas31: bool
) -> list[dict[str, str]]:
    if not request_body:
        return []
    if not body:
        if request_body.get("required"):
            return [{"field": "body", "code": "required", "message": "A request body is required."}]
        return []
    content = request_body.get("content") or {}
    media = content_type.split(";")[0].strip().lower()
    if (
        content
        and media not in content
        and not any(m.endswith("/*") or m == "*/*" for m in content)
    ):
        return [
            {
                "field": "body",
                "code": "media_type",
                "message": f"Content-Type {media or 'none'} is not one of: {', '.join(content)}.",
            }
        ]
    if not media.endswith("json"):
        return []
    try:
        value = loads_bounded(body)
    except JSONTooDeep as exc:
        return [{"field": "body", "code": "too_deep", "message": str(exc)}]
    except ValueError:
        return [{"field": "body", "code": "parse_error", "message": "The body is not valid JSON."}]
    schema = (content.get(media) or {}).get("schema")
    return _schema_errors(schema, value, "body", oas31)
