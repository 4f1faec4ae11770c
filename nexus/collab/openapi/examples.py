"""Example requests and responses: the spec's own examples, else generated from the schema."""

from typing import Any

from nexus.collab.openapi.resolve import CIRCULAR

MAX_EXAMPLE_DEPTH = 8
FORMAT_SAMPLES = {
    "date-time": "2024-01-01T12:00:00Z",
    "date": "2024-01-01",
    "email": "user@example.com",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "uri": "https://example.com",
    "url": "https://example.com",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "password": "secret",
    "byte": "U3dhZ2dlciByb2Nrcw==",
}


def media_example(media: dict[str, Any] | None) -> Any:
    """The example of a media type object: `example`, the first of `examples`, or generated."""
    if not isinstance(media, dict):
        return None
    if "example" in media:
        return media["example"]
    examples = media.get("examples")
    if isinstance(examples, dict):
        for example in examples.values():
            if isinstance(example, dict) and "value" in example:
                return example["value"]
    return schema_example(media.get("schema"))


def schema_example(schema: Any, depth: int = 0) -> Any:
    """A plausible value for a schema, preferring what the schema itself offers."""
    if not isinstance(schema, dict) or depth > MAX_EXAMPLE_DEPTH or CIRCULAR in schema:
        return None
    for key in ("example", "default", "const"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for combinator in ("allOf",):
        if isinstance(schema.get(combinator), list):
            merged: dict[str, Any] = {}
            for part in schema[combinator]:
                value = schema_example(part, depth + 1)
                if isinstance(value, dict):
                    merged.update(value)
            return merged
    for combinator in ("oneOf", "anyOf"):
        if isinstance(schema.get(combinator), list) and schema[combinator]:
            return schema_example(schema[combinator][0], depth + 1)
    kind = schema_type(schema)
    if kind == "object" or "properties" in schema:
        return {
            name: schema_example(child, depth + 1)
            for name, child in (schema.get("properties") or {}).items()
        }
    if kind == "array":
        item = schema_example(schema.get("items"), depth + 1)
        return [] if item is None else [item]
    return _scalar(kind, schema)


def schema_type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        non_null = [k for k in kind if k != "null"]
        return non_null[0] if non_null else "null"
    return kind


def _scalar(kind: str | None, schema: dict[str, Any]) -> Any:
    if kind == "string":
        sample = FORMAT_SAMPLES.get(str(schema.get("format")), "string")
        minimum = int(schema.get("minLength") or 0)
        return sample if len(sample) >= minimum else sample * (minimum // len(sample) + 1)
    if kind == "integer":
        return int(schema.get("minimum", 0) or 0)
    if kind == "number":
        return float(schema.get("minimum", 0) or 0)
    if kind == "boolean":
        return True
    return None
