"""The kinds of change between two spec versions, and how a change is reported."""

from dataclasses import dataclass

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
