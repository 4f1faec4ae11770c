import json

import pytest
from django.test import Client

from nexus.collab.services.catalog import spec_version_create
from tests.collab.conftest import PETS_V2

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


def test_the_mock_answers_with_the_spec_example(client, pets_v1):
    response = client.post(
        "/mock/pets/1/pets", json.dumps({"name": "Rex"}), content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json() == {"id": 7, "name": "Rex", "tag": "dog"}
    assert response["X-Nexus-Mock"] == "true"


def test_without_an_example_the_answer_is_generated_from_the_schema(client, pets_v1):
    response = client.get("/mock/pets/1/pets/12")
    assert response.status_code == 200
    pet = response.json()
    assert set(pet) == {"name", "tag", "id"}
    assert pet["name"] != "string"
    assert " " in pet["name"]  # a person's name for a `name`
    assert isinstance(pet["id"], int)
    assert pet["id"] >= 1
    assert client.get("/mock/pets/1/pets/12").json() == pet  # the same answer every time


def test_a_seed_in_the_prefer_header_gives_other_stable_data(client, pets_v1):
    plain = client.get("/mock/pets/1/pets/12").json()
    seeded = client.get("/mock/pets/1/pets/12", headers={"Prefer": "seed=42"}).json()
    assert seeded != plain
    assert client.get("/mock/pets/1/pets/12", headers={"Prefer": "seed=42"}).json() == seeded


def test_a_request_that_breaks_the_spec_gets_the_specs_reasons(client, pets_v1):
    response = client.post(
        "/mock/pets/1/pets", json.dumps({"name": 5, "tag": "x"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == "body.name"
    assert "is not of type 'string'" in error["message"]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("get", "/mock/pets/1/pets?limit=500", None, "query.limit"),
        ("get", "/mock/pets/1/pets?limit=many", None, "query.limit"),
        ("get", "/mock/pets/1/pets/abc", None, "path.petId"),
        ("post", "/mock/pets/1/pets", "", "body"),
        ("post", "/mock/pets/1/pets", "{not json", "body"),
        ("post", "/mock/pets/1/pets", "{}", "body"),
    ],
)
def test_each_mismatch_is_reported(client, pets_v1, method, path, body, field):
    kwargs = {"content_type": "application/json"} if body is not None else {}
    response = (
        getattr(client, method)(path, body or "", **kwargs)
        if body is not None
        else client.get(path)
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_a_wrong_content_type_is_refused(client, pets_v1):
    response = client.post("/mock/pets/1/pets", "name=Rex", content_type="text/plain")
    assert response.status_code == 400
    assert "Content-Type" in response.json()["errors"][0]["message"]


def test_unknown_paths_methods_apis_and_versions(client, pets_v1):
    assert client.get("/mock/pets/1/owners").status_code == 404
    assert client.get("/mock/nope/1/pets").status_code == 404
    assert client.get("/mock/pets/9/pets").status_code == 404
    response = client.delete("/mock/pets/1/pets")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"


def test_each_version_keeps_its_own_mock(client, pets_api, pets_v1):
    spec_version_create(api=pets_api, raw=PETS_V2, source="paste", actor=pets_api.created_by)
    assert client.get("/mock/pets/1/pets/3").status_code == 200
    assert client.get("/mock/pets/2/pets/3").status_code == 404
    assert client.get("/mock/pets/latest/pets").status_code == 200


def test_a_prefer_header_picks_another_documented_status(client, pets_v1):
    response = client.post(
        "/mock/pets/1/pets",
        json.dumps({"name": "Rex"}),
        content_type="application/json",
        headers={"Prefer": "code=400"},
    )
    assert response.status_code == 400
    assert response.content == b""


def test_the_server_path_prefix_is_accepted(client, owner):
    from nexus.collab.services.catalog import api_create

    api = api_create(actor=owner, name="Prefixed")
    spec = """
openapi: 3.1.0
info: {title: P, version: "1"}
servers: [{url: "https://example.com/api/v1"}]
paths:
  /ping:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: ["string", "null"], examples: ["pong"]}
"""
    spec_version_create(api=api, raw=spec, source="paste", actor=owner)
    assert client.get("/mock/prefixed/1/api/v1/ping").json() == "pong"
    assert client.get("/mock/prefixed/1/ping").json() == "pong"


def test_a_frontend_on_another_origin_may_call_the_mock(client, pets_v1):
    preflight = client.options(
        "/mock/pets/1/pets",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    answer = client.get("/mock/pets/1/pets", headers={"Origin": "http://localhost:3000"})
    assert answer["Access-Control-Allow-Origin"] == "*"
