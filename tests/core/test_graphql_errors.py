"""The one GraphQL error mapping: expected exceptions become typed errors in the payload."""

from types import SimpleNamespace

import pytest
import strawberry
import strawberry_django
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from strawberry_django.permissions import IsAuthenticated

from nexus.core.graphql import FieldError, MutationErrors, NotFound
from nexus.graphql import schema as root_schema

FAILURES: dict[str, Exception] = {
    "field": ValidationError({"title": ValidationError("Too short.", code="min_length")}),
    "form": ValidationError("Pick one.", code="ambiguous"),
    "denied": PermissionDenied,
    "denied_saying_why": PermissionDenied("Only mentors may do that."),
    "named_missing": NotFound(field="challenge_id", message="No such challenge."),
    "missing_row": ObjectDoesNotExist("Challenge matching query does not exist."),
    "missing_page": Http404("No Challenge matches the given query."),
    "bug": KeyError("oops"),
}


@strawberry.type
class Thing:
    name: str


@strawberry.type
class ThingPayload:
    thing: Thing | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    ready: bool = True


@strawberry.type
class Mutation:
    @strawberry_django.mutation(extensions=[MutationErrors()])
    def make_thing(self, failure: str = "") -> ThingPayload:
        if failure:
            raise FAILURES[failure]
        return ThingPayload(thing=Thing(name="made"))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def make_own_thing(self) -> ThingPayload:
        return ThingPayload(thing=Thing(name="mine"))


schema = strawberry.Schema(query=Query, mutation=Mutation)
MAKE = "mutation($failure: String!) { makeThing(failure: $failure) { thing { name } errors { field message code } } }"


def make(failure: str) -> dict:
    result = schema.execute_sync(MAKE, variable_values={"failure": failure})
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data["makeThing"]


def test_a_mutation_that_succeeds_returns_its_object_and_no_errors():
    assert make("") == {"thing": {"name": "made"}, "errors": []}


@pytest.mark.parametrize(
    ("failure", "errors"),
    [
        ("field", [("title", "Too short.", "min_length")]),
        ("form", [("__all__", "Pick one.", "ambiguous")]),
        ("denied", [("__all__", "You may not do that.", "permission_denied")]),
        ("denied_saying_why", [("__all__", "Only mentors may do that.", "permission_denied")]),
        ("named_missing", [("challenge_id", "No such challenge.", "not_found")]),
        ("missing_row", [("__all__", "Not found.", "not_found")]),
        ("missing_page", [("__all__", "Not found.", "not_found")]),
    ],
)
def test_expected_exceptions_become_typed_errors_and_a_null_object(failure, errors):
    payload = make(failure)
    assert payload["thing"] is None
    assert payload["errors"] == [
        {"field": field, "message": message, "code": code} for field, message, code in errors
    ]


def test_an_unexpected_exception_stays_a_graphql_error():
    result = schema.execute_sync(MAKE, variable_values={"failure": "bug"})
    assert result.data is None
    assert result.errors is not None
    assert isinstance(result.errors[0].original_error, KeyError)


def test_a_missing_login_stays_a_graphql_error_not_a_typed_one():
    context = SimpleNamespace(request=SimpleNamespace(user=AnonymousUser()))
    result = schema.execute_sync(
        "mutation { makeOwnThing { thing { name } errors { code } } }", context_value=context
    )
    assert result.data is None
    assert result.errors is not None
    assert "not authenticated" in result.errors[0].message.lower()


def test_the_extension_refuses_to_wrap_a_permission_extension():
    @strawberry.type
    class WrongOrder:
        @strawberry_django.mutation(extensions=[IsAuthenticated(), MutationErrors()])
        def make_thing(self) -> ThingPayload:
            return ThingPayload()

    with pytest.raises(TypeError, match="before IsAuthenticated"):
        strawberry.Schema(query=Query, mutation=WrongOrder)


def test_the_extension_needs_a_payload_with_errors():
    @strawberry.type
    class NoPayload:
        @strawberry_django.mutation(extensions=[MutationErrors()])
        def count_things(self) -> int:
            return 1

    with pytest.raises(TypeError, match="payload with `errors`"):
        strawberry.Schema(query=Query, mutation=NoPayload)


def _has_errors_field(type_: object) -> bool:
    definition = getattr(type_, "__strawberry_definition__", None)
    return definition is not None and any(f.python_name == "errors" for f in definition.fields)


def test_every_mutation_with_typed_errors_is_wrapped_by_the_mapping():
    mutation = root_schema.get_type_by_name("Mutation")
    assert mutation is not None
    with_errors = [field for field in mutation.fields if _has_errors_field(field.type)]
    assert with_errors, "the root schema has no mutations with typed errors"
    unwrapped = [
        field.name
        for field in with_errors
        if not any(isinstance(extension, MutationErrors) for extension in field.extensions)
    ]
    assert unwrapped == [], "add extensions=[MutationErrors(), ...] to these mutations"
