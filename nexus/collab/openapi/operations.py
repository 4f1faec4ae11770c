"""Flatten a spec into its operations, each with references resolved and inherited parts merged."""

from dataclasses import dataclass, field
from typing import Any

from nexus.collab.openapi.resolve import Resolver

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass
class ParsedOperation:
    method: str
    path: str
    operation_id: str
    summary: str
    description: str
    deprecated: bool
    tags: list[str]
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Stable across versions: the same method and path is the same operation."""
        return operation_key(self.method, self.path)


def operation_key(method: str, path: str) -> str:
    return f"{method.upper()} {path}"


def parse_operations(document: dict[str, Any]) -> list[ParsedOperation]:
    """Every operation of a validated spec, in document order."""
    resolver = Resolver(document)
    root_security = document.get("security")
    operations = []
    for path, item in (document.get("paths") or {}).items():
        item = resolver.expand(item) if isinstance(item, dict) else {}
        shared = item.get("parameters") or []
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            parameters = _merge_parameters(shared, operation.get("parameters") or [])
            security = operation.get("security", root_security)
            detail = {
                "parameters": parameters,
                "requestBody": operation.get("requestBody"),
                "responses": operation.get("responses") or {},
                "security": resolver.expand(security) if security is not None else [],
            }
            operations.append(
                ParsedOperation(
                    method=method.upper(),
                    path=path,
                    operation_id=str(operation.get("operationId") or ""),
                    summary=str(operation.get("summary") or ""),
                    description=str(operation.get("description") or ""),
                    deprecated=bool(operation.get("deprecated", False)),
                    tags=[str(tag) for tag in operation.get("tags") or []],
                    detail=detail,
                )
            )
    return operations


def _merge_parameters(shared: list[Any], own: list[Any]) -> list[dict[str, Any]]:
    """Path-level parameters apply unless the operation redefines the same name and location."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for parameter in [*shared, *own]:
        if isinstance(parameter, dict) and "name" in parameter:
            merged[(str(parameter.get("in")), str(parameter["name"]))] = parameter
    return list(merged.values())


def security_schemes(requirements: list[Any]) -> set[str]:
    """The scheme names a security requirement list asks for (empty when it allows anonymous)."""
    if not requirements or any(requirement == {} for requirement in requirements):
        return set()
    return {
        name
        for requirement in requirements
        if isinstance(requirement, dict)
        for name in requirement
    }
