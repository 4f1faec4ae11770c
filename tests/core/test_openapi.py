import pytest
import yaml
from django.test import Client
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    """The served schema, generated once for the module: it takes seconds to build."""
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_openapi_schema_is_valid(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")


def test_the_schema_documents_the_public_api_map(schema):
    paths = set(schema["paths"])
    for expected in (
        "/api/v1/auth/register/",
        "/api/v1/auth/token/",
        "/api/v1/auth/token/refresh/",
        "/api/v1/auth/token/verify/",
        "/api/v1/me/",
        "/api/v1/me/tokens/",
        "/api/v1/users/",
    ):
        assert expected in paths
    schemes = schema["components"]["securitySchemes"]
    assert {"jwtAuth", "apiToken", "cookieAuth"} <= set(schemes)


PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield f"{method.upper()} {path}", operation


def test_every_operation_documents_its_problem_responses(schema):
    for name, operation in operations(schema):
        responses = operation["responses"]
        expected = {"401", "403", "404", "406"}
        if "requestBody" in operation:
            expected |= {"400", "413", "415"}
        if "parameters" in operation:
            expected |= {"400"}
        assert expected <= set(responses), name
        for status in expected:
            assert responses[status]["content"] == PROBLEM, (name, status)
    assert "429" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "429" not in schema["paths"]["/api/v1/articles/"]["get"]["responses"]


def test_precondition_responses_carry_the_problem_body(schema):
    responses = schema["paths"]["/api/v1/articles/{slug}/"]["patch"]["responses"]
    assert responses["412"]["content"] == PROBLEM
    assert responses["428"]["content"] == PROBLEM


def test_read_only_fields_say_when_the_model_behind_may_be_null_or_blank(schema):
    components = schema["components"]["schemas"]
    assert components["Api"]["properties"]["team"]["nullable"] is True
    assert components["Api"]["properties"]["latest_version"]["nullable"] is True
    assert components["Issue"]["properties"]["assignee"]["nullable"] is True
    assert components["Api"]["properties"]["base_url"]["oneOf"] == [
        {"type": "string", "format": "uri"},
        {"type": "string", "maxLength": 0},
    ]
    assert "nullable" not in components["Api"]["properties"]["slug"]
    assert "oneOf" not in components["Api"]["properties"]["created_at"]


def test_strict_input_serializers_refuse_unknown_properties(schema):
    components = schema["components"]["schemas"]
    assert components["TeamInputRequest"]["additionalProperties"] is False
    assert components["PatchedTeamInputRequest"]["additionalProperties"] is False


def test_bodies_are_json_unless_a_view_reads_other_media_types(schema):
    team = schema["paths"]["/api/v1/teams/"]["post"]["requestBody"]["content"]
    assert set(team) == {"application/json"}
    imports = schema["paths"]["/api/v1/imports/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in imports


def test_page_sizes_start_at_1(schema):
    parameters = schema["paths"]["/api/v1/articles/"]["get"]["parameters"]
    page_size = next(p for p in parameters if p["name"] == "page_size")
    assert page_size["schema"] == {"type": "integer", "minimum": 1}


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_api_viewers_load_their_assets_locally(client, page):
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    for third_party in ("cdn.jsdelivr", "unpkg.com", "fonts.googleapis.com"):
        assert third_party not in html


def test_the_schema_generates_without_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_filters_may_be_sent_empty_as_django_filter_ignores_them(schema):
    parameters = {
        p["name"]: p for p in schema["paths"]["/api/v1/notifications/"]["get"]["parameters"]
    }
    assert "" in parameters["unread"]["schema"]["enum"]
    entries = schema["paths"]["/api/v1/journal/entries/"]["get"]["parameters"]
    author = next(p for p in entries if p["name"] == "author")
    assert author["schema"] == {"anyOf": [{"type": "integer"}, {"type": "string", "maxLength": 0}]}


def test_an_optional_relation_may_be_sent_empty(schema):
    team = schema["components"]["schemas"]["ApiInputRequest"]["properties"]["team"]
    assert "minLength" not in team
    assert team["nullable"] is True


def test_an_if_match_is_never_empty(schema):
    parameters = schema["paths"]["/api/v1/articles/{slug}/"]["patch"]["parameters"]
    if_match = next(p for p in parameters if p["name"] == "If-Match")
    assert if_match["schema"] == {"type": "string", "minLength": 1}
