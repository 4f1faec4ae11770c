"""Example requests and responses: the spec's own examples, else generated from the schema.

Generated values look like what they stand for (a date for a date, an address for an e-mail,
a member of an enum, a name for a `name`) and are drawn from a random generator seeded with
the seed and the value's place in the document, so the same seed always gives the same answer.
"""

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from nexus.collab.openapi.resolve import CIRCULAR

MAX_EXAMPLE_DEPTH = 8
STATIC_FORMAT_SAMPLES = {
    "password": "correct-horse-battery",
    "byte": "U3dhZ2dlciByb2Nrcw==",
    "binary": "",
}
FIRST_NAMES = ("Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Ken", "Frances")
LAST_NAMES = ("Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Thompson")
WORDS = ("harbour", "maple", "orbit", "lantern", "quartz", "meadow", "cobalt", "summit", "ember")
CITIES = ("Lisbon", "Nairobi", "Montréal", "Osaka", "Valparaíso", "Tallinn", "Auckland")
# Generated dates fall in a fixed window, not around today, so that a seed's answer never moves.
DATE_ORIGIN = datetime(2024, 1, 1, tzinfo=UTC)
DATE_SPAN_SECONDS = 3 * 365 * 24 * 3600


def media_example(media: dict[str, Any] | None, seed: str = "") -> Any:
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
    return schema_example(media.get("schema"), seed=seed)


def schema_example(schema: Any, depth: int = 0, seed: str = "", name: str = "") -> Any:
    """A plausible value for a schema, preferring what the schema itself offers.

    `name` is the value's place in the document (its property names joined by dots): it seeds
    the value and hints at what it is.
    """
    if not isinstance(schema, dict) or depth > MAX_EXAMPLE_DEPTH or CIRCULAR in schema:
        return None
    for key in ("example", "default", "const"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return _random(seed, name).choice(schema["enum"])
    for combinator in ("allOf",):
        if isinstance(schema.get(combinator), list):
            merged: dict[str, Any] = {}
            for part in schema[combinator]:
                value = schema_example(part, depth + 1, seed, name)
                if isinstance(value, dict):
                    merged.update(value)
            return merged
    for combinator in ("oneOf", "anyOf"):
        if isinstance(schema.get(combinator), list) and schema[combinator]:
            return schema_example(schema[combinator][0], depth + 1, seed, name)
    kind = schema_type(schema)
    if kind == "object" or "properties" in schema:
        return {
            key: schema_example(child, depth + 1, seed, f"{name}.{key}" if name else key)
            for key, child in (schema.get("properties") or {}).items()
        }
    if kind == "array":
        item = schema_example(schema.get("items"), depth + 1, seed, f"{name}[]")
        return [] if item is None else [item]
    return _scalar(kind, schema, _random(seed, name), name.rsplit(".", 1)[-1].lower())


def _random(seed: str, name: str) -> random.Random:
    return random.Random(f"{seed}|{name}")  # noqa: S311 - sample data, not a secret


def schema_type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        non_null = [k for k in kind if k != "null"]
        return non_null[0] if non_null else "null"
    return kind


def _scalar(kind: str | None, schema: dict[str, Any], rng: random.Random, name: str) -> Any:
    if kind == "string":
        sample = _string(str(schema.get("format") or ""), rng, name)
        minimum = int(schema.get("minLength") or 0)
        if len(sample) < minimum:
            sample = (sample + "-") * (minimum // (len(sample) + 1) + 1)
        maximum = schema.get("maxLength")
        return sample[: int(maximum)] if isinstance(maximum, int) else sample
    if kind in ("integer", "number"):
        low, high = _bounds(schema, name)
        if kind == "integer":
            return rng.randint(int(low), int(high))
        return round(rng.uniform(low, high), 2)
    if kind == "boolean":
        return rng.random() < 0.5
    return None


def _bounds(schema: dict[str, Any], name: str) -> tuple[float, float]:
    """The range a number is drawn from: the schema's limits, else one that suits the name."""
    low = schema.get("minimum")
    high = schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), int | float):
        low = schema["exclusiveMinimum"] + 1
    elif schema.get("exclusiveMinimum") is True and isinstance(low, int | float):
        low += 1
    if isinstance(schema.get("exclusiveMaximum"), int | float):
        high = schema["exclusiveMaximum"] - 1
    elif schema.get("exclusiveMaximum") is True and isinstance(high, int | float):
        high -= 1
    if not isinstance(low, int | float):
        low = min(1, high) if isinstance(high, int | float) else 1
    if not isinstance(high, int | float):
        high = low + (99 if name in ("age", "count", "quantity", "total") else 999)
    return (low, max(low, high))


def _string(fmt: str, rng: random.Random, name: str) -> str:
    """A string in the given format, or (without one) what its property name suggests."""
    moment = DATE_ORIGIN + timedelta(seconds=rng.randrange(DATE_SPAN_SECONDS))
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    word = rng.choice(WORDS)
    by_format = {
        "date-time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "date": moment.strftime("%Y-%m-%d"),
        "time": moment.strftime("%H:%M:%S"),
        "email": f"{first}.{last}@example.com".lower(),
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "uri": f"https://example.com/{word}",
        "url": f"https://example.com/{word}",
        "hostname": f"{word}.example.com",
        "ipv4": f"192.0.2.{rng.randint(1, 254)}",
        "ipv6": f"2001:db8::{rng.randint(1, 0xFFFF):x}",
        **STATIC_FORMAT_SAMPLES,
    }
    if fmt in by_format:
        return by_format[fmt]
    hints = (
        (("email", "mail"), by_format["email"]),
        (("created", "updated", "_at", "timestamp"), by_format["date-time"]),
        (("date", "birthday", "_on"), by_format["date"]),
        (("url", "uri", "link", "href", "website"), by_format["url"]),
        (("uuid", "guid"), by_format["uuid"]),
        (("phone", "mobile"), f"+1-555-01{rng.randint(0, 99):02d}"),
        (("city", "town"), rng.choice(CITIES)),
        (("first_name", "firstname", "given"), first),
        (("last_name", "lastname", "surname", "family"), last),
        (("username", "login", "handle"), f"{first}{rng.randint(1, 99)}".lower()),
        (("name", "author", "owner"), f"{first} {last}"),
        (
            ("description", "summary", "comment", "text", "body", "message"),
            f"A {word} for {first} {last}.",
        ),
        (("title",), f"The {word.capitalize()} {rng.choice(WORDS)}"),
        (("id", "code", "key", "slug", "tag"), f"{word}-{rng.randint(1, 999)}"),
    )
    for needles, value in hints:
        if any(needle in name for needle in needles):
            return value
    return f"{word} {rng.choice(WORDS)}"
