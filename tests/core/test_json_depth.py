"""JSON nested too deeply is a 400 that says so, on REST, GraphQL and mock routes, never a 500."""

import json

import pytest
from django.test import Client

from nexus.collab.services.catalog import api_create, spec_version_create
from nexus.core import clock
from nexus.core.parsers import JSONTooDeep, loads_bounded
from tests.collab.conftest import PETS_V1

# 100,000 levels: json.loads raised RecursionError on it.
BOMB = "[" * 100_000 + "]" * 100_000


def nested(depth: int) -> str:
    """An object `depth` levels deep: {"a": {"a": ... [] ...}}."""
    return '{"a": ' * (depth - 1) + "[]" + "}" * (depth - 1)


@pytest.mark.parametrize(("text", "depth"), [("1", 0), ("[]", 1), ('{"a": [1, {}]}', 3)])
def test_the_depth_counts_levels_of_arrays_and_objects(text, depth):
    assert loads_bounded(text, max_depth=depth) == json.loads(text)
    if depth:
        with pytest.raises(JSONTooDeep, match=f"more than {depth - 1} levels"):
            loads_bounded(text, max_depth=depth - 1)


def test_a_document_nested_past_the_interpreters_limit_is_too_deep():
    with pytest.raises(JSONTooDeep):
        loads_bounded(BOMB)


def test_a_document_nested_just_under_the_interpreters_limit_is_too_deep():
    # Parsed without RecursionError, but code walking it recursively would raise one.
    with pytest.raises(JSONTooDeep, match="more than 32 levels"):
        loads_bounded(nested(900))


@pytest.mark.parametrize("body", [BOMB, nested(33)])
def test_the_rest_api_answers_400_too_deep(client_for, owner, body):
    response = client_for(owner).generic(
        "POST", "/api/v1/journal/entries/", body, content_type="application/json"
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "too_deep"
    assert problem["detail"] == "The JSON is nested more than 32 levels deep."


def test_the_rest_api_still_reads_a_body_at_the_limit(client_for, owner):
    entry = {"date": clock.today().isoformat(), "body": "Deep enough.", "topics": "NESTED"}
    body = json.dumps(entry).replace('"NESTED"', nested(31))
    response = client_for(owner).generic(
        "POST", "/api/v1/journal/entries/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["topics"]


def test_an_anonymous_rest_request_too_deep_is_400(api_client, db):
    response = api_client.generic(
        "POST", "/api/v1/auth/token/", BOMB, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"


def graphql_body(variables: str) -> str:
    return '{"query": "query($v: String) { __typename }", "variables": {"v": ' + variables + "}}"


def graphql_client(user=None) -> Client:
    """A browser: with a user, signed in by session, its CSRF token checked as in production."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
        client.cookies["csrftoken"] = CSRF_TOKEN
    return client


CSRF_TOKEN = "a" * 32


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "session"])
@pytest.mark.parametrize("variables", [BOMB, nested(40)], ids=["100000", "40"])
def test_graphql_answers_400_too_deep(owner, signed_in, variables):
    # With a session, the CSRF check parses the body through DRF before GraphQL does.
    response = graphql_client(owner if signed_in else None).post(
        "/graphql/",
        graphql_body(variables),
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_TOKEN},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"


def test_graphql_variables_in_the_query_string_too_deep_are_400(client, db):
    response = client.get("/graphql/", {"query": "{ __typename }", "variables": nested(40)})
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"


def test_a_session_graphql_request_that_is_not_json_is_400(owner):
    response = graphql_client(owner).post(
        "/graphql/",
        "{not json",
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_TOKEN},
    )
    assert response.status_code == 400


def test_a_session_graphql_request_at_the_limit_is_answered(owner):
    response = graphql_client(owner).post(
        "/graphql/",
        '{"query": "{ __typename }", "variables": {"v": ' + nested(30) + "}}",
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_TOKEN},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


def test_a_mock_request_body_too_deep_is_reported_as_a_body_error(client, owner):
    api = api_create(actor=owner, name="Pets", description="")
    spec_version_create(api=api, raw=PETS_V1, source="paste", actor=owner)
    for body in (BOMB, nested(40)):
        response = client.post("/mock/pets/1/pets", body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"][0] == {
            "field": "body",
            "code": "too_deep",
            "message": "The JSON is nested more than 32 levels deep.",
        }
