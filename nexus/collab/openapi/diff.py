"""Compare two versions of a spec and classify every change as breaking or not.

No maintained Python library classifies OpenAPI changes (oasdiff is Go), so the rules live here,
one function per part of an operation. Each rule has a `kind`; RULES names them all.
"""

from dataclasses import dataclass
from typing import Any

from nexus.collab.openapi.examples import schema_type
from nexus.collab.openapi.operations import ParsedOperation, security_schemes
from nexus.collab.openapi.resolve import CIRCULAR

BREAKING = "breaking"
NON_BREAKING = "non-breaking"

RULES: dict[str, str] = {
    "operation_removed": "an operation no longer exists",
    "operation_added": "a new operation",
    "operation_deprecated": "an operation is marked deprecated",
    "documentation_changed": "a summary, description or title changed",
    "server_changed": "the servers (base URLs) changed",
    "version_changed": "info.version changed",
    "parameter_removed": "a parameter no longer exists",
    "parameter_renamed": "a parameter was replaced by one with another name in the same place",
    "parameter_added_required": "a new required parameter",
    "parameter_added": "a new optional parameter",
    "parameter_became_required": "an optional parameter became required",
    "parameter_became_optional": "a required parameter became optional",
    "request_body_added_required": "a required request body where there was none",
    "request_body_added": "an optional request body where there was none",
    "request_body_removed": "the request body is no longer read",
    "request_body_became_required": "an optional request body became required",
    "media_type_removed": "a request or response media type is gone",
    "media_type_added": "a new request or response media type",
    "request_field_removed": "a request field is no longer read",
    "request_field_added_required": "a new required request field",
    "request_field_added": "a new optional request field",
    "request_field_became_required": "an optional request field became required",
    "response_field_removed": "a response field is gone",
    "response_field_added": "a new response field",
    "response_field_became_optional": "a response field is no longer always present",
    "response_field_became_required": "a response field is now always present",
    "response_status_removed": "a response status code is gone",
    "response_status_added": "a new response status code",
    "type_changed": "a value's type changed",
    "format_changed": "a value's format changed",
    "nullable_changed": "null is accepted or returned where it was not (or no longer)",
    "enum_value_removed": "an allowed value is gone",
    "enum_value_added": "a new allowed value",
    "constraint_tightened": "a limit (length, range, pattern, items) got stricter for input",
    "constraint_relaxed": "a limit got looser for input",
    "security_requirement_added": "calling the operation needs a new credential",
    "security_requirement_removed": "a credential is no longer needed",
    "operation_changed": "other details changed (examples, descriptions of fields)",
}

UPPER_LIMITS = ("maxLength", "maximum", "maxItems", "maxProperties")
LOWER_LIMITS = ("minLength", "minimum", "minItems", "minProperties")


@dataclass(frozen=True)
class Change:
    kind: str
    severity: str
    operation: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "operation": self.operation,
            "detail": self.detail,
        }


def diff_specs(
    old_document: dict[str, Any],
    new_document: dict[str, Any],
    old_operations: list[ParsedOperation],
    new_operations: list[ParsedOperation],
) -> list[Change]:
    """Every change from the old version to the new one, API-level changes first."""
    changes = _spec_level(old_document, new_document)
    old_by_key = {op.key: op for op in old_operations}
    new_by_key = {op.key: op for op in new_operations}
    for key in old_by_key:
        if key not in new_by_key:
            changes.append(Change("operation_removed", BREAKING, key, f"{key} was removed."))
    for key, new in new_by_key.items():
        old_op = old_by_key.get(key)
        if old_op is None:
            changes.append(Change("operation_added", NON_BREAKING, key, f"{key} was added."))
        else:
            changes.extend(OperationDiff(old_op, new).changes())
    return changes


def _spec_level(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes = []
    old_info, new_info = old.get("info") or {}, new.get("info") or {}
    if old_info.get("version") != new_info.get("version"):
        changes.append(
            Change(
                "version_changed",
                NON_BREAKING,
                "",
                f"Version {old_info.get('version')} → {new_info.get('version')}.",
            )
        )
    for field in ("title", "description"):
        if old_info.get(field) != new_info.get(field):
            changes.append(
                Change("documentation_changed", NON_BREAKING, "", f"The API {field} changed.")
            )
    old_servers = [s.get("url") for s in old.get("servers") or [] if isinstance(s, dict)]
    new_servers = [s.get("url") for s in new.get("servers") or [] if isinstance(s, dict)]
    if old_servers != new_servers:
        changes.append(
            Change(
                "server_changed",
                NON_BREAKING,
                "",
                f"Servers {', '.join(map(str, old_servers)) or 'none'} → "
                f"{', '.join(map(str, new_servers)) or 'none'}.",
            )
        )
    return changes


class OperationDiff:
    """The changes between two versions of one operation."""

    def __init__(self, old: ParsedOperation, new: ParsedOperation) -> None:
        self.old, self.new = old, new
        self.found: list[Change] = []

    def add(self, kind: str, severity: str, detail: str) -> None:
        self.found.append(Change(kind, severity, self.new.key, detail))

    def changes(self) -> list[Change]:
        old, new = self.old, self.new
        if new.deprecated and not old.deprecated:
            self.add("operation_deprecated", NON_BREAKING, "The operation is now deprecated.")
        if (old.summary, old.description) != (new.summary, new.description):
            self.add("documentation_changed", NON_BREAKING, "The summary or description changed.")
        self._parameters(old.detail.get("parameters") or [], new.detail.get("parameters") or [])
        self._request_body(old.detail.get("requestBody"), new.detail.get("requestBody"))
        self._responses(old.detail.get("responses") or {}, new.detail.get("responses") or {})
        self._security(old.detail.get("security") or [], new.detail.get("security") or [])
        if not self.found and old.detail != new.detail:
            self.add(
                "operation_changed",
                NON_BREAKING,
                "Other details changed (examples, field descriptions or similar).",
            )
        return self.found

    def _parameters(self, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
        old_map = {(p.get("in"), p.get("name")): p for p in old}
        new_map = {(p.get("in"), p.get("name")): p for p in new}
        removed = [key for key in old_map if key not in new_map]
        added = [key for key in new_map if key not in old_map]
        for location, name in removed:
            renamed = [k for k in added if k[0] == location]
            if len(renamed) == 1 and len([k for k in removed if k[0] == location]) == 1:
                added.remove(renamed[0])
                self.add(
                    "parameter_renamed",
                    BREAKING,
                    f"The {location} parameter '{name}' became '{renamed[0][1]}'.",
                )
            else:
                self.add(
                    "parameter_removed", BREAKING, f"The {location} parameter '{name}' was removed."
                )
        for location, name in added:
            if new_map[(location, name)].get("required"):
                self.add(
                    "parameter_added_required",
                    BREAKING,
                    f"A required {location} parameter '{name}' was added.",
                )
            else:
                self.add(
                    "parameter_added",
                    NON_BREAKING,
                    f"An optional {location} parameter '{name}' was added.",
                )
        for key, old_param in old_map.items():
            new_param = new_map.get(key)
            if new_param is None:
                continue
            label = f"{key[0]} parameter '{key[1]}'"
            was, now = bool(old_param.get("required")), bool(new_param.get("required"))
            if now and not was:
                self.add("parameter_became_required", BREAKING, f"The {label} is now required.")
            elif was and not now:
                self.add("parameter_became_optional", NON_BREAKING, f"The {label} is now optional.")
            SchemaDiff(self, "request", label).compare(
                old_param.get("schema"), new_param.get("schema")
            )

    def _request_body(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        if not old and not new:
            return
        if old and not new:
            self.add("request_body_removed", BREAKING, "The request body is no longer read.")
            return
        if new and not old:
            if new.get("required"):
                self.add(
                    "request_body_added_required", BREAKING, "A required request body was added."
                )
            else:
                self.add("request_body_added", NON_BREAKING, "An optional request body was added.")
            return
        assert old is not None
        assert new is not None
        if new.get("required") and not old.get("required"):
            self.add("request_body_became_required", BREAKING, "The request body is now required.")
        self._content(old.get("content") or {}, new.get("content") or {}, "request", "request body")

    def _responses(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        for status in old:
            if status not in new:
                self.add("response_status_removed", BREAKING, f"The {status} response was removed.")
        for status in new:
            if status not in old:
                self.add("response_status_added", NON_BREAKING, f"A {status} response was added.")
        for status, old_response in old.items():
            new_response = new.get(status)
            if isinstance(old_response, dict) and isinstance(new_response, dict):
                self._content(
                    old_response.get("content") or {},
                    new_response.get("content") or {},
                    "response",
                    f"{status} response",
                )

    def _content(
        self, old: dict[str, Any], new: dict[str, Any], direction: str, label: str
    ) -> None:
        for media in old:
            if media not in new:
                self.add("media_type_removed", BREAKING, f"The {label} no longer offers {media}.")
        for media in new:
            if media not in old:
                self.add("media_type_added", NON_BREAKING, f"The {label} now offers {media}.")
        for media, old_media in old.items():
            if media in new and isinstance(old_media, dict) and isinstance(new[media], dict):
                SchemaDiff(self, direction, f"{label} ({media})").compare(
                    old_media.get("schema"), new[media].get("schema")
                )

    def _security(self, old: list[Any], new: list[Any]) -> None:
        before, after = security_schemes(old), security_schemes(new)
        for scheme in sorted(after - before):
            self.add(
                "security_requirement_added", BREAKING, f"Calls now need '{scheme}' credentials."
            )
        for scheme in sorted(before - after):
            self.add(
                "security_requirement_removed",
                NON_BREAKING,
                f"Calls no longer need '{scheme}' credentials.",
            )


class SchemaDiff:
    """Changes inside a schema, read from the client's side: what it sends or what it receives."""

    def __init__(self, operation: OperationDiff, direction: str, label: str) -> None:
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
