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
