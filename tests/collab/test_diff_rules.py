"""One test per change rule: a base spec, one edit, the change it must produce."""

import copy

import pytest

from nexus.collab.openapi.diff import BREAKING, NON_BREAKING, RULES, diff_specs
from nexus.collab.openapi.operations import parse_operations

BASE = {
    "openapi": "3.0.3",
    "info": {"title": "Shop", "version": "1", "description": "A shop."},
    "servers": [{"url": "https://shop.example.com/v1"}],
    "components": {
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "oauth": {"type": "http", "scheme": "bearer"},
        },
        "schemas": {
            "Item": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string", "maxLength": 100},
                    "colour": {"type": "string", "enum": ["red", "blue"]},
                    "price": {"type": "number", "minimum": 0},
                    "note": {"type": "string"},
                },
            }
        },
    },
    "security": [{"key": []}],
    "paths": {
        "/items": {
            "get": {
                "summary": "List items",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "colour", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "Items",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Item"},
                                }
                            }
                        },
                    },
                    "401": {"description": "No key"},
                },
            },
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                    },
                },
                "responses": {"201": {"description": "Created"}},
            },
        },
        "/items/{id}": {
            "delete": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {"204": {"description": "Gone"}},
            }
        },
    },
}

ITEM = ("components", "schemas", "Item")
GET = ("paths", "/items", "get")
POST = ("paths", "/items", "post")


def at(spec, path):
    node = spec
    for key in path:
        node = node[key]
    return node


def edit(*path_and_change):
    """A mutation: set (or delete, with value ...) the value at a path."""

    def apply(spec):
        for path, value in path_and_change:
            parent = at(spec, path[:-1])
            if value is Ellipsis:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value

    return apply


def params(*items):
    return (*GET, "parameters"), list(items)


LIMIT = {"name": "limit", "in": "query", "schema": {"type": "integer"}}
COLOUR = {"name": "colour", "in": "query", "schema": {"type": "string"}}

CASES = {
    "operation_removed": (edit((("paths", "/items/{id}"), ...)), "DELETE /items/{id}", BREAKING),
    "operation_added": (
        edit((("paths", "/items/{id}", "get"), {"responses": {"200": {"description": "One"}}})),
        "GET /items/{id}",
        NON_BREAKING,
    ),
    "operation_deprecated": (edit(((*GET, "deprecated"), True)), "GET /items", NON_BREAKING),
    "documentation_changed": (edit(((*GET, "summary"), "All items")), "GET /items", NON_BREAKING),
    "server_changed": (
        edit((("servers",), [{"url": "https://new.example.com"}])),
        "",
        NON_BREAKING,
    ),
    "version_changed": (edit((("info", "version"), "2")), "", NON_BREAKING),
    "parameter_removed": (
        edit(params(LIMIT), ((*GET, "parameters", 0), ...)),
        "GET /items",
        BREAKING,
    ),
    "parameter_renamed": (
        edit(params(LIMIT, {**COLOUR, "name": "color"})),
        "GET /items",
        BREAKING,
    ),
    "parameter_added_required": (
        edit(params(LIMIT, COLOUR, {"name": "shop", "in": "query", "required": True})),
        "GET /items",
        BREAKING,
    ),
    "parameter_added": (
        edit(params(LIMIT, COLOUR, {"name": "page", "in": "query"})),
        "GET /items",
        NON_BREAKING,
    ),
    "parameter_became_required": (
        edit(params({**LIMIT, "required": True}, COLOUR)),
        "GET /items",
        BREAKING,
    ),
    "parameter_became_optional": (
        edit(
            (("paths", "/items/{id}", "delete", "parameters", 0, "required"), False),
        ),
        "DELETE /items/{id}",
        NON_BREAKING,
    ),
    "request_body_added_required": (
        edit(
            (
                ("paths", "/items/{id}", "delete", "requestBody"),
                {"required": True, "content": {"application/json": {"schema": {}}}},
            )
        ),
        "DELETE /items/{id}",
        BREAKING,
    ),
    "request_body_added": (
        edit(
            (
                ("paths", "/items/{id}", "delete", "requestBody"),
                {"content": {"application/json": {"schema": {}}}},
            )
        ),
        "DELETE /items/{id}",
        NON_BREAKING,
    ),
    "request_body_removed": (edit(((*POST, "requestBody"), ...)), "POST /items", BREAKING),
    "request_body_became_required": (
        edit(((*POST, "requestBody", "required"), True)),
        "POST /items",
        BREAKING,
    ),
    "media_type_removed": (
        edit(((*POST, "requestBody", "content"), {"application/xml": {"schema": {}}})),
        "POST /items",
        BREAKING,
    ),
    "media_type_added": (
        edit(((*POST, "requestBody", "content", "application/xml"), {"schema": {}})),
        "POST /items",
        NON_BREAKING,
    ),
    "request_field_removed": (edit(((*ITEM, "properties", "note"), ...)), "POST /items", BREAKING),
    "request_field_added_required": (
        edit(
            ((*ITEM, "properties", "sku"), {"type": "string"}),
            ((*ITEM, "required"), ["id", "name", "sku"]),
        ),
        "POST /items",
        BREAKING,
    ),
    "request_field_added": (
        edit(((*ITEM, "properties", "sku"), {"type": "string"})),
        "POST /items",
        NON_BREAKING,
    ),
    "request_field_became_required": (
        edit(((*ITEM, "required"), ["id", "name", "note"])),
        "POST /items",
        BREAKING,
    ),
    "response_field_removed": (edit(((*ITEM, "properties", "note"), ...)), "GET /items", BREAKING),
    "response_field_added": (
        edit(((*ITEM, "properties", "sku"), {"type": "string"})),
        "GET /items",
        NON_BREAKING,
    ),
    "response_field_became_optional": (
        edit(((*ITEM, "required"), ["id"])),
        "GET /items",
        BREAKING,
    ),
    "response_field_became_required": (
        edit(((*ITEM, "required"), ["id", "name", "note"])),
        "GET /items",
        NON_BREAKING,
    ),
    "response_status_removed": (
        edit(((*GET, "responses", "401"), ...)),
        "GET /items",
        BREAKING,
    ),
    "response_status_added": (
        edit(((*GET, "responses", "429"), {"description": "Slow down"})),
        "GET /items",
        NON_BREAKING,
    ),
    "type_changed": (
        edit(((*ITEM, "properties", "id"), {"type": "string"})),
        "GET /items",
        BREAKING,
    ),
    "format_changed": (
        edit(((*ITEM, "properties", "id"), {"type": "integer", "format": "int64"})),
        "GET /items",
        BREAKING,
    ),
    "nullable_changed": (
        edit(((*ITEM, "properties", "note"), {"type": "string", "nullable": True})),
        "GET /items",
        BREAKING,
    ),
    "enum_value_removed": (
        edit(((*ITEM, "properties", "colour", "enum"), ["red"])),
        "POST /items",
        BREAKING,
    ),
    "enum_value_added": (
        edit(((*ITEM, "properties", "colour", "enum"), ["red", "blue", "green"])),
        "POST /items",
        NON_BREAKING,
    ),
    "constraint_tightened": (
        edit(((*ITEM, "properties", "name", "maxLength"), 20)),
        "POST /items",
        BREAKING,
    ),
    "constraint_relaxed": (
        edit(((*ITEM, "properties", "name", "maxLength"), 200)),
        "POST /items",
        NON_BREAKING,
    ),
    "security_requirement_added": (
        edit(((*GET, "security"), [{"key": [], "oauth": []}])),
        "GET /items",
        BREAKING,
    ),
    "security_requirement_removed": (
        edit(((*GET, "security"), [])),
        "GET /items",
        NON_BREAKING,
    ),
    "operation_changed": (
        edit(((*GET, "responses", "200", "description"), "All the items")),
        "GET /items",
        NON_BREAKING,
    ),
}


def changes_after(mutate):
    new = copy.deepcopy(BASE)
    mutate(new)
    return diff_specs(BASE, new, parse_operations(BASE), parse_operations(new))


def test_every_rule_has_a_case():
    assert set(CASES) == set(RULES)


def test_an_unchanged_spec_has_no_changes():
    assert changes_after(lambda spec: None) == []


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_rule_reports_its_change(kind):
    mutate, operation, severity = CASES[kind]
    changes = changes_after(mutate)
    matching = [c for c in changes if c.kind == kind and c.operation == operation]
    assert matching, f"{kind} not found in {[c.as_dict() for c in changes]}"
    assert {c.severity for c in matching} == {severity}
    assert all(c.detail for c in matching)


def test_tightening_a_response_constraint_is_not_reported_as_breaking():
    changes = changes_after(edit(((*ITEM, "properties", "name", "maxLength"), 20)))
    assert not [c for c in changes if c.operation == "GET /items" and c.severity == BREAKING]


def test_null_newly_accepted_in_a_request_is_not_breaking():
    changes = changes_after(
        edit(((*ITEM, "properties", "note"), {"type": "string", "nullable": True}))
    )
    request_side = [
        c for c in changes if c.operation == "POST /items" and c.kind == "nullable_changed"
    ]
    assert [c.severity for c in request_side] == [NON_BREAKING]


def test_circular_schemas_are_compared_without_looping():
    cyclic = copy.deepcopy(BASE)
    cyclic["components"]["schemas"]["Item"]["properties"]["parent"] = {
        "$ref": "#/components/schemas/Item"
    }
    changed = copy.deepcopy(cyclic)
    changed["components"]["schemas"]["Item"]["properties"]["id"] = {"type": "string"}
    changes = diff_specs(cyclic, changed, parse_operations(cyclic), parse_operations(changed))
    assert any(c.kind == "type_changed" for c in changes)
