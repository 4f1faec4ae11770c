"""Every ID argument of the GraphQL schema answers an id no row can have like a missing row.

A query answers null, a mutation its payload with a not_found error on the argument (or false,
for one that answers a bool), never a GraphQL error carrying the ORM's ValueError. The arguments
are read from the schema itself, so a new field is probed as soon as it exists.
"""

import json
from dataclasses import dataclass

import pytest
from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    get_named_type,
)

from nexus.graphql import schema

# Not a number, not an integer, negative, empty, past bigint. A NUL byte is refused before any
# resolver runs (RefuseNulCharacters).
IMPOSSIBLE_IDS = ("abc", "1.5", "-1", "", "99999999999999999999")
# Filters narrow a list: an impossible id there is a field error, as in the REST filters.
FILTERS = {"filter", "filters"}
FILLERS = {GraphQLInt: "1", GraphQLFloat: "1.0", GraphQLBoolean: "true"}


@dataclass(frozen=True)
class Probe:
    operation: str  # "query" or "mutation"
    name: str
    field: GraphQLField

    def document(self, bad_id: str) -> str:
        args = ", ".join(
            f"{name}: {_literal(arg.type, bad_id)}"
            for name, arg in self.field.args.items()
            if (_holds_id(arg.type) and name not in FILTERS) or _required(arg.type)
        )
        return f"{self.operation} {{ {self.name}({args}) {_selection(self.field)} }}"

    def __str__(self) -> str:
        return f"{self.operation}.{self.name}"


def _required(kind: GraphQLInputType) -> bool:
    return isinstance(kind, GraphQLNonNull)


def _holds_id(kind: GraphQLInputType) -> bool:
    """An ID, or an input object with an ID field (one level: filter inputs nest themselves)."""
    named = get_named_type(kind)
    if isinstance(named, GraphQLInputObjectType):
        return any(get_named_type(field.type) is GraphQLID for field in named.fields.values())
    return named is GraphQLID


def _literal(kind: GraphQLInputType, bad_id: str) -> str:
    if isinstance(kind, GraphQLNonNull):
        return _literal(kind.of_type, bad_id)
    if isinstance(kind, GraphQLList):
        return f"[{_literal(kind.of_type, bad_id)}]"
    if kind is GraphQLID:
        return json.dumps(bad_id)
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        fields = ", ".join(
            f"{name}: {_literal(field.type, bad_id)}"
            for name, field in kind.fields.items()
            if _holds_id(field.type) or (_required(field.type) and field.default_value is None)
        )
        return f"{{{fields}}}"
    return FILLERS.get(kind, '"x"')  # type: ignore[call-overload]


def _selection(field: GraphQLField) -> str:
    returned = get_named_type(field.type)
    if not isinstance(returned, GraphQLObjectType):
        return ""
    if "errors" in returned.fields:
        return "{ errors { field code message } }"
    return "{ __typename }"


def _probes() -> list[Probe]:
    roots = {"query": schema._schema.query_type, "mutation": schema._schema.mutation_type}
    return [
        Probe(operation, name, field)
        for operation, root in roots.items()
        if root is not None
        for name, field in root.fields.items()
        if any(_holds_id(arg.type) for name, arg in field.args.items() if name not in FILTERS)
    ]


def test_the_probe_finds_the_id_arguments():
    names = {str(probe) for probe in _probes()}
    assert {"query.challenge", "query.journalEntry", "mutation.rateOperation"} <= names
    assert len(names) >= 14


@pytest.mark.parametrize("probe", _probes(), ids=str)
def test_an_impossible_id_is_answered_like_a_missing_row(client, admin_user, probe):
    client.force_login(admin_user)  # an admin: no policy answers before the lookup does
    for bad_id in IMPOSSIBLE_IDS:
        response = client.post(
            "/graphql/", {"query": probe.document(bad_id)}, content_type="application/json"
        )
        assert response.status_code == 200, (bad_id, response.content)
        body = response.json()
        assert "errors" not in body, (bad_id, body["errors"])
        answer = body["data"][probe.name]
        if isinstance(answer, dict) and "errors" in answer:
            assert [error["code"] for error in answer["errors"]] == ["not_found"], (bad_id, answer)
        else:
            assert answer in (None, False), (bad_id, answer)


@pytest.mark.parametrize("bad_id", IMPOSSIBLE_IDS)
def test_an_impossible_author_in_the_articles_filter_is_a_field_error(db, client, bad_id):
    query = "query($author: ID) { articles(filter: {author: $author}) { slug } }"
    response = client.post(
        "/graphql/",
        {"query": query, "variables": {"author": bad_id}},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 200
    if "errors" in body:
        assert [error["message"] for error in body["errors"]] == [
            "{'author': ['Enter a whole number.', 'invalid']}"
        ]
    else:
        assert body["data"] == {"articles": []}
