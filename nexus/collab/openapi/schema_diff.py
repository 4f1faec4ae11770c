"""Changes inside a schema, read from the client's side: what it sends or what it receives."""

from typing import Any, Protocol

from nexus.collab.openapi.changes import BREAKING, NON_BREAKING
from nexus.collab.openapi.examples import schema_type
from nexus.collab.openapi.resolve import CIRCULAR

UPPER_LIMITS = ("maxLength", "maximum", "maxItems", "maxProperties")
LOWER_LIMITS = ("minLength", "minimum", "minItems", "minProperties")


class ChangeSink(Protocol):
    def add(self, kind: str, severity: str, detail: str) -> None: ...


class SchemaDiff:
    """Changes inside a schema, read from the client's side: what it sends or what it receives."""

    def __init__(self, operation: ChangeSink, direction: str, label: str) -> None:
        self.operation, self.direction, self.label = operation, direction, label
        self.is_request = direction == "request"

    def compare(self, old: Any, new: Any, field: str = "") -> None:
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        if CIRCULAR in old or CIRCULAR in new:
            return
        old, new = _flatten_all_of(old), _flatten_all_of(new)
        where = f"{self.label} field '{field}'" if field else self.label
        self._type(old, new, where)
        self._enum(old, new, where)
        if self.is_request:
            self._constraints(old, new, where)
        self._properties(old, new, field)
        if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
            self.compare(old["items"], new["items"], f"{field}[]" if field else "[]")

    def _type(self, old: dict[str, Any], new: dict[str, Any], where: str) -> None:
        old_type, new_type = schema_type(old), schema_type(new)
        if old_type and new_type and old_type != new_type:
            self.operation.add(
                "type_changed", BREAKING, f"The {where} changed type {old_type} → {new_type}."
            )
        if old.get("format") != new.get("format") and (old.get("format") or new.get("format")):
            self.operation.add(
                "format_changed",
                BREAKING,
                f"The {where} changed format {old.get('format') or 'none'} → "
                f"{new.get('format') or 'none'}.",
            )
        was, now = _nullable(old), _nullable(new)
        if was != now:
            breaking = (self.is_request and was) or (not self.is_request and now)
            self.operation.add(
                "nullable_changed",
                BREAKING if breaking else NON_BREAKING,
                f"The {where} {'now' if now else 'no longer'} allows null.",
            )

    def _enum(self, old: dict[str, Any], new: dict[str, Any], where: str) -> None:
        if not isinstance(old.get("enum"), list) or not isinstance(new.get("enum"), list):
            return
        removed = [v for v in old["enum"] if v not in new["enum"]]
        added = [v for v in new["enum"] if v not in old["enum"]]
        if removed:
            self.operation.add(
                "enum_value_removed", BREAKING, f"The {where} no longer allows {_values(removed)}."
            )
        if added:
            self.operation.add(
                "enum_value_added", NON_BREAKING, f"The {where} now allows {_values(added)}."
            )

    def _constraints(self, old: dict[str, Any], new: dict[str, Any], where: str) -> None:
        for name in (*UPPER_LIMITS, *LOWER_LIMITS, "pattern"):
            before, after = old.get(name), new.get(name)
            if before == after:
                continue
            if name == "pattern":
                tighter = after is not None
            elif after is None or before is None:
                tighter = before is None
            else:
                tighter = after < before if name in UPPER_LIMITS else after > before
            self.operation.add(
                "constraint_tightened" if tighter else "constraint_relaxed",
                BREAKING if tighter else NON_BREAKING,
                f"The {where} {name} changed {before if before is not None else 'none'} → "
                f"{after if after is not None else 'none'}.",
            )

    def _properties(self, old: dict[str, Any], new: dict[str, Any], field: str) -> None:
        old_props = old.get("properties") or {}
        new_props = new.get("properties") or {}
        old_required, new_required = set(old.get("required") or []), set(new.get("required") or [])
        for name in old_props:
            if name not in new_props:
                path = _join(field, name)
                if self.is_request:
                    self.operation.add(
                        "request_field_removed",
                        BREAKING,
                        f"The {self.label} field '{path}' is no longer read.",
                    )
                else:
                    self.operation.add(
                        "response_field_removed",
                        BREAKING,
                        f"The {self.label} field '{path}' was removed.",
                    )
        for name in new_props:
            if name in old_props:
                continue
            path = _join(field, name)
            if not self.is_request:
                self.operation.add(
                    "response_field_added",
                    NON_BREAKING,
                    f"The {self.label} has a new field '{path}'.",
                )
            elif name in new_required:
                self.operation.add(
                    "request_field_added_required",
                    BREAKING,
                    f"The {self.label} needs a new required field '{path}'.",
                )
            else:
                self.operation.add(
                    "request_field_added",
                    NON_BREAKING,
                    f"The {self.label} accepts a new field '{path}'.",
                )
        for name, old_child in old_props.items():
            if name not in new_props:
                continue
            path = _join(field, name)
            if self.is_request and name in new_required and name not in old_required:
                self.operation.add(
                    "request_field_became_required",
                    BREAKING,
                    f"The {self.label} field '{path}' is now required.",
                )
            if not self.is_request and name in old_required and name not in new_required:
                self.operation.add(
                    "response_field_became_optional",
                    BREAKING,
                    f"The {self.label} field '{path}' is no longer always present.",
                )
            if not self.is_request and name in new_required and name not in old_required:
                self.operation.add(
                    "response_field_became_required",
                    NON_BREAKING,
                    f"The {self.label} field '{path}' is now always present.",
                )
            self.compare(old_child, new_props[name], path)


def _flatten_all_of(schema: dict[str, Any]) -> dict[str, Any]:
    parts = schema.get("allOf")
    if not isinstance(parts, list):
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    properties = dict(merged.get("properties") or {})
    required = list(merged.get("required") or [])
    for part in parts:
        if isinstance(part, dict):
            part = _flatten_all_of(part)
            properties.update(part.get("properties") or {})
            required.extend(part.get("required") or [])
            for key, value in part.items():
                merged.setdefault(key, value)
    merged["properties"], merged["required"] = properties, required
    return merged


def _nullable(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return bool(schema.get("nullable")) or (isinstance(kind, list) and "null" in kind)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _values(values: list[Any]) -> str:
    return ", ".join(repr(v) for v in values[:10]) + (" …" if len(values) > 10 else "")
