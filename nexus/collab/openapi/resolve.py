"""Resolve internal `$ref`s, guarding against cycles and exponential expansion."""

from typing import Any
from urllib.parse import unquote

from nexus.collab.openapi.errors import SpecError

MAX_RESOLVE_DEPTH = 100
MAX_RESOLVED_NODES = 100_000
CIRCULAR = "x-circular-ref"


def resolve_pointer(document: Any, ref: str) -> Any:
    """The value a local reference like '#/components/schemas/Pet' points at, or None."""
    if ref in ("#", "#/"):
        return document
    if not ref.startswith("#/"):
        return None
    node = document
    for raw in ref[2:].split("/"):
        token = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


class Resolver:
    """Expands references inline; a reference to itself becomes a stub naming it."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.count = 0

    def expand(self, value: Any) -> Any:
        return self._expand(value, (), 0)

    def _expand(self, value: Any, refs: tuple[str, ...], depth: int) -> Any:
        self.count += 1
        if self.count > MAX_RESOLVED_NODES:
            raise SpecError.single(
                f"Resolving references expands this spec past {MAX_RESOLVED_NODES} values "
                "(schemas that refer to each other many times over)."
            )
        if depth > MAX_RESOLVE_DEPTH:
            where = f" (at {refs[-1]})" if refs else ""
            raise SpecError.single(
                f"References are nested more than {MAX_RESOLVE_DEPTH} levels deep{where}."
            )
        if isinstance(value, list):
            return [self._expand(item, refs, depth + 1) for item in value]
        if not isinstance(value, dict):
            return value
        ref = value.get("$ref")
        if isinstance(ref, str):
            if ref in refs:
                return {CIRCULAR: ref}
            target = resolve_pointer(self.document, ref)
            if target is None:
                raise SpecError.single(f"Reference '{ref}' points at nothing in this document.")
            expanded = self._expand(target, (*refs, ref), depth + 1)
            siblings = {k: v for k, v in value.items() if k != "$ref"}
            if siblings and isinstance(expanded, dict):
                expanded = {**expanded, **self._expand(siblings, refs, depth + 1)}
            return expanded
        return {key: self._expand(child, refs, depth + 1) for key, child in value.items()}
