"""Turn uploaded bytes into a plain JSON-compatible document, safely.

YAML is composed into nodes by PyYAML's safe loader and built into Python values here, so that
aliases are counted (an alias bomb is refused instead of expanded), nesting is bounded, every
mapping key becomes a string (`200:` is a status code, not an int) and each JSON pointer keeps
the line it came from for error messages.
"""

import datetime
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

import yaml

from nexus.collab.openapi.errors import SpecError, escape_pointer_token

MAX_SPEC_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 100


@dataclass
class LoadedDocument:
    data: Any
    lines: dict[str, int] = field(default_factory=dict)
    format: str = "yaml"

    def line_of(self, pointer: str) -> int | None:
        """The line of a pointer, or of its nearest ancestor that has one."""
        while True:
            if pointer in self.lines:
                return self.lines[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


def content_hash(data: Any) -> str:
    """A hash of the document's meaning: the same spec as YAML or JSON hashes the same."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def decode(raw: bytes | str, *, max_bytes: int = MAX_SPEC_BYTES) -> str:
    """Bytes as text, refusing oversized or non-UTF-8 input."""
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise SpecError.single(f"The spec is {size} bytes; the limit is {max_bytes} bytes.")
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError.single(f"The spec is not UTF-8 text (byte {exc.start}).") from exc


def load_document(raw: bytes | str, *, max_bytes: int = MAX_SPEC_BYTES) -> LoadedDocument:
    """Parse YAML or JSON text into a document with line numbers per JSON pointer."""
    text = decode(raw, max_bytes=max_bytes)
    if not text.strip():
        raise SpecError.single("The spec is empty.")
    is_json = text.lstrip().startswith(("{", "["))
    if is_json:
        data = _load_json(text)
        # The line map is best effort for JSON: the YAML composer reads most JSON too.
        try:
            node = yaml.compose(text, Loader=yaml.CSafeLoader)
            lines = _Builder(node).lines_only() if node is not None else {}
        except (yaml.YAMLError, SpecError, RecursionError):
            lines = {}
        return LoadedDocument(data=data, lines=lines, format="json")
    try:
        root = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SpecError.single(f"The YAML is malformed: {exc.problem}.", line=line) from exc
    except yaml.YAMLError as exc:
        raise SpecError.single(f"The YAML is malformed: {exc}.") from exc
    except RecursionError as exc:
        raise SpecError.single("The YAML is nested too deeply.") from exc
    if root is None:
        raise SpecError.single("The spec is empty.")
    builder = _Builder(root)
    try:
        data = builder.build()
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SpecError.single(f"The YAML cannot be read: {exc.problem}.", line=line) from exc
    return LoadedDocument(data=data, lines=builder.lines, format="yaml")


def _load_json(text: str) -> Any:
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise SpecError.single(f"The JSON is malformed: {exc.msg}.", line=exc.lineno) from exc
    except RecursionError as exc:
        raise SpecError.single("The JSON is nested too deeply.") from exc
    _check_depth(data)
    return data


def _refuse_constant(name: str) -> Any:
    raise SpecError.single(f"The JSON contains {name}, which is not a JSON number.")


def _check_depth(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise SpecError.single(f"The document is nested more than {MAX_DEPTH} levels deep.")
    children = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    )
    for child in children:
        _check_depth(child, depth + 1)


class _Builder:
    """Builds Python values from YAML nodes, counting every node an alias expands to."""

    def __init__(self, root: yaml.Node) -> None:
        self.root = root
        self.lines: dict[str, int] = {}
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def build(self) -> Any:
        return self._value(self.root, "", 0)

    def lines_only(self) -> dict[str, int]:
        self.build()
        return self.lines

    def _value(self, node: yaml.Node, pointer: str, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise SpecError.single(
                f"The document expands to more than {MAX_NODES} values; YAML aliases that "
                "multiply content (a 'billion laughs' document) are refused.",
                pointer=pointer[:200],
            )
        if depth > MAX_DEPTH:
            raise SpecError.single(
                f"The document is nested more than {MAX_DEPTH} levels deep (or an alias refers "
                "to itself).",
                pointer=pointer[:200],
                line=node.start_mark.line + 1,
            )
        self.lines.setdefault(pointer, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, pointer, depth)
        if isinstance(node, yaml.SequenceNode):
            return [
                self._value(item, f"{pointer}/{index}", depth + 1)
                for index, item in enumerate(node.value)
            ]
        return _plain(self.constructor.construct_object(node), pointer, node)

    def _mapping(self, node: yaml.MappingNode, pointer: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                sources = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for source in sources:
                    value = self._value(source, pointer, depth + 1)
                    if isinstance(value, dict):
                        merged = {**value, **merged}
                continue
            key = self._key(key_node, pointer)
            child = f"{pointer}/{escape_pointer_token(key)}"
            self.lines[child] = key_node.start_mark.line + 1
            result[key] = self._value(value_node, child, depth + 1)
        return {**merged, **result}

    def _key(self, node: yaml.Node, pointer: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise SpecError.single(
                "Mapping keys must be plain values.", pointer=pointer, line=node.start_mark.line + 1
            )
        value = _plain(self.constructor.construct_object(node), pointer, node)
        if isinstance(value, bool):
            return "true" if value else "false"
        return "null" if value is None else str(value)


def _plain(value: Any, pointer: str, node: yaml.Node) -> Any:
    """YAML scalars as JSON values: dates become ISO strings, binary and NaN are refused."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        raise SpecError.single(
            "Infinite or NaN numbers are not valid JSON.",
            pointer=pointer,
            line=node.start_mark.line + 1,
        )
    if isinstance(value, bytes):
        raise SpecError.single(
            "Binary YAML values are not valid JSON.", pointer=pointer, line=node.start_mark.line + 1
        )
    return value
