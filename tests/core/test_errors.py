"""Every API error comes back as RFC 9457 problem+json, and bad input never writes anything."""

import pytest
from django.core.exceptions import PermissionDenied

from nexus.accounts.models import User
from nexus.core.errors import problem_exception_handler

pytestmark = pytest.mark.django_db

REGISTER_URL = "/api/v1/auth/register/"


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["request_id"] == response["X-Request-ID"]
    return body


def test_malformed_json_is_a_400_problem(api_client):
    response = api_client.post(REGISTER_URL, data="{not json", content_type="application/json")
    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]


def test_wrong_content_type_is_a_415_problem(api_client):
    response = api_client.post(REGISTER_URL, data="email=a", content_type="text/plain")
    body = assert_problem(response, 415)
    assert "text/plain" in body["detail"]


def test_oversize_body_is_refused_before_it_is_read(api_client, settings):
    settings.NEXUS_MAX_JSON_BODY_BYTES = 1024
    payload = {"email": "big@example.com", "password": "x" * 2000, "display_name": "Big"}
    response = api_client.post(REGISTER_URL, payload, format="json")
    body = assert_problem(response, 413)
    assert "1024" in body["detail"]
    assert not User.objects.filter(email="big@example.com").exists()


def test_oversize_limit_defaults_to_one_mebibyte(settings):
    from django.conf import settings as live

    assert live.NEXUS_MAX_JSON_BODY_BYTES == 1024 * 1024


def test_unknown_fields_are_named_in_field_errors(api_client):
    payload = {
        "email": "new@example.com",
        "password": "a-long-enough-passphrase",
        "display_name": "New",
        "is_staff": True,
    }
    response = api_client.post(REGISTER_URL, payload, format="json")
    body = assert_problem(response, 400)
    assert body["errors"] == [
        {
            "field": "is_staff",
            "code": "unknown_field",
            "message": "This field is not accepted here.",
        }
    ]
    assert not User.objects.filter(email="new@example.com").exists()


def test_a_number_where_text_belongs_is_a_field_error(api_client):
    payload = {"email": "num@example.com", "password": "a-long-passphrase", "display_name": 5}
    response = api_client.post(REGISTER_URL, payload, format="json")
    body = assert_problem(response, 400)
    assert body["errors"] == [
        {"field": "display_name", "code": "invalid", "message": "Send text here, not a number."}
    ]
    assert not User.objects.filter(email="num@example.com").exists()


def test_a_list_of_numbers_where_texts_belong_is_a_field_error(client_for, owner):
    response = client_for(owner).post(
        "/api/v1/articles/",
        {"title": "Tags", "body": "x", "kind": "guide", "tags": [1, 2]},
        format="json",
    )
    body = assert_problem(response, 400)
    assert [error["field"] for error in body["errors"]] == ["tags"]


def test_form_bodies_are_text_and_pass_as_before(api_client):
    payload = {"email": "form@example.com", "password": "a-long-passphrase", "display_name": "5"}
    response = api_client.post(REGISTER_URL, payload, format="multipart")
    assert response.status_code == 202, response.content


@pytest.mark.parametrize("page_size", ["abc", "0", "-3", "1.5", ""])
def test_a_page_size_that_is_no_whole_number_from_1_is_a_field_error(api_client, page_size):
    response = api_client.get("/api/v1/technologies/", {"page_size": page_size})
    body = assert_problem(response, 400)
    assert body["errors"][0]["field"] == "page_size"


def test_a_page_size_over_the_maximum_gives_the_maximum(api_client):
    from nexus.knowledge.models import Technology

    response = api_client.get("/api/v1/technologies/", {"page_size": 10_000})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(100, Technology.objects.count())


def test_a_nul_character_in_a_query_parameter_is_a_field_error(api_client):
    # The feedback summary looked the slug up as given: PostgreSQL refused the NUL with a 500.
    response = api_client.get("/api/v1/feedback/summary/", {"api": "pets\x00"})
    body = assert_problem(response, 400)
    assert [error["field"] for error in body["errors"]] == ["api"]


def test_a_nul_character_in_an_api_path_names_nothing(api_client):
    # /articles/<slug>/ looked the slug up as given: PostgreSQL refused the NUL with a 500.
    assert_problem(api_client.get("/api/v1/articles/a%00b/"), 404)


def test_a_format_suffix_is_no_route_of_the_api(client_for, owner):
    # /teams/<slug>.json/ reached views that take no `format` argument: a 500.
    response = client_for(owner).patch("/api/v1/teams/some-team.json/", {}, format="json")
    assert_problem(response, 404)


def test_unknown_api_path_is_a_404_problem(api_client):
    assert_problem(api_client.get("/api/v1/no-such-thing/"), 404)


def test_wrong_method_is_a_405_problem(api_client):
    body = assert_problem(api_client.delete(REGISTER_URL), 405)
    assert "DELETE" in body["detail"]


def test_unknown_web_page_is_an_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Not found" in response.content
    assert response["Content-Type"].startswith("text/html")


def test_server_errors_on_api_paths_are_problems(rf):
    from nexus.core.views import server_error

    response = server_error(rf.get("/api/v1/users/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"


def test_nested_errors_are_flattened_to_dotted_fields():
    from rest_framework.exceptions import ErrorDetail

    from nexus.core.errors import flatten_field_errors

    detail = {
        "items": [{"name": [ErrorDetail("Required.", code="required")]}, {}],
        "non_field_errors": [ErrorDetail("Bad.", code="invalid")],
    }
    assert flatten_field_errors(detail) == [
        {"field": "items.0.name", "code": "required", "message": "Required."},
        {"field": "__all__", "code": "invalid", "message": "Bad."},
    ]


def test_a_services_refusal_says_why():
    response = problem_exception_handler(PermissionDenied("Only mentors may do that."), {})
    assert response.status_code == 403
    assert response.data["detail"] == "Only mentors may do that."
    assert response.data["code"] == "permission_denied"


def test_a_bare_refusal_keeps_the_default_sentence():
    response = problem_exception_handler(PermissionDenied(), {})
    assert response.status_code == 403
    assert response.data["detail"] == "You do not have permission to perform this action."
