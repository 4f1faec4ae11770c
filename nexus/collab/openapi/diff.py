"""Compare two versions of a spec and classify every change as breaking or not.

No maintained Python library classifies OpenAPI changes (oasdiff is Go), so the rules live here,
one method per part of an operation; schema_diff.py compares schemas. RULES names every kind.
"""

from typing import Any

from nexus.collab.openapi.changes import BREAKING, NON_BREAKING, RULES, Change
from nexus.collab.openapi.operations import ParsedOperation, security_schemes
from nexus.collab.openapi.schema_diff import SchemaDiff

__all__ = ["BREAKING", "NON_BREAKING", "RULES", "Change", "OperationDiff", "diff_specs"]


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
