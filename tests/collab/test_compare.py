"""Comparing any two versions of an API, and the breaking-only changelog, on the web and REST."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nexus.collab.services.catalog import api_create, spec_version_create
from tests.collab.conftest import PETS_V1, PETS_V2

pytestmark = pytest.mark.django_db

# v3 only adds an optional query parameter (and bumps info.version): nothing breaks.
PETS_V3 = PETS_V2.replace(
    "        - {name: limit, in: query, schema: {type: integer, maximum: 100}}\n",
    "        - {name: limit, in: query, schema: {type: integer, maximum: 100}}\n"
    "        - {name: offset, in: query, schema: {type: integer}}\n",
).replace('version: "2.0"', 'version: "3.0"')


@pytest.fixture
def pets_versions(pets_api, owner):
    for spec in (PETS_V1, PETS_V2, PETS_V3):
        spec_version_create(api=pets_api, raw=spec, source="paste", actor=owner)
    return pets_api


def browser(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _spec_with_paths(count: int, version: str) -> str:
    paths = "".join(
        f"  /things{n}:\n    get:\n      responses:\n        '200': {{description: OK}}\n"
        for n in range(count)
    )
    return f'openapi: 3.0.3\ninfo: {{title: Things, version: "{version}"}}\npaths:\n{paths}'


# --- the web page ---------------------------------------------------------------------------


def test_the_compare_page_defaults_to_the_two_newest_versions(pets_versions):
    response = browser().get(f"/apis/{pets_versions.slug}/compare/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<option value="2" selected>Version 2 (2.0)</option>' in page
    assert '<option value="3" selected>Version 3 (3.0)</option>' in page
    assert "Version 2 → version 3" in page
    assert "parameter_added" in page
    assert "0 breaking" in page


def test_any_two_versions_compare_not_only_neighbours(pets_versions):
    page = browser().get(f"/apis/{pets_versions.slug}/compare/?from=1&to=3").content.decode()
    assert "Version 1 → version 3" in page
    assert "operation_removed" in page  # from 1 → 2
    assert "parameter_added" in page  # from 2 → 3
    assert "2 breaking" in page


def test_the_comparison_filters_to_breaking_changes_with_an_empty_state(pets_versions):
    slug = pets_versions.slug
    page = browser().get(f"/apis/{slug}/compare/?from=1&to=3&breaking=1").content.decode()
    assert "operation_removed" in page
    assert "parameter_added" not in page
    page = browser().get(f"/apis/{slug}/compare/?from=2&to=3&breaking=on").content.decode()
    assert "No breaking changes between version 2 and version 3." in page


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=1&to=9", "to", "This API has no version 9."),
        ("from=x&to=2", "from", "This API has no version x."),
        ("from=2&to=2", "to", "Pick a version other than the one you compare from."),
        ("from=3&to=1", "to", "Version 1 is older than version 3: swap them to compare."),
    ],
)
def test_bad_version_pairs_are_a_400_with_the_field_at_fault(pets_versions, query, field, message):
    response = browser().get(f"/apis/{pets_versions.slug}/compare/?{query}")
    page = response.content.decode()
    assert response.status_code == 400
    assert f'data-field="{field}"' in page
    assert message in page


def test_an_api_with_one_version_says_comparing_needs_two(pets_api, pets_v1):
    response = browser().get(f"/apis/{pets_api.slug}/compare/")
    assert response.status_code == 200
    assert "Comparing needs two versions" in response.content.decode()
    assert browser().get("/apis/nothing-here/compare/").status_code == 404


def test_the_api_page_links_to_the_comparison(pets_versions):
    page = browser().get(f"/apis/{pets_versions.slug}/").content.decode()
    assert f'href="/apis/{pets_versions.slug}/compare/"' in page


def test_the_compare_page_query_count_does_not_grow_with_the_changes(owner):
    def queries_to_compare(slug: str) -> int:
        client = browser(owner)
        client.get(f"/apis/{slug}/compare/")  # warm the session and the user
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/apis/{slug}/compare/")
        assert response.status_code == 200
        return len(queries)

    small = api_create(actor=owner, name="Small")
    big = api_create(actor=owner, name="Big")
    for api, count in ((small, 2), (big, 60)):
        spec_version_create(api=api, raw=_spec_with_paths(1, "1"), source="paste", actor=owner)
        spec_version_create(api=api, raw=_spec_with_paths(count, "2"), source="paste", actor=owner)
    few, many = queries_to_compare(small.slug), queries_to_compare(big.slug)
    print(f"\ncompare page: {few} queries for 2 changes, {many} for 60 changes")
    assert few == many <= 8


# --- the changelog's breaking-only filter -----------------------------------------------------


def test_the_changelog_filters_to_breaking_changes(pets_versions):
    slug = pets_versions.slug
    page = browser().get(f"/apis/{slug}/versions/2/?breaking=1").content.decode()
    assert "operation_removed" in page
    assert "version_changed" not in page
    assert "version_changed" in browser().get(f"/apis/{slug}/versions/2/").content.decode()
    page = browser().get(f"/apis/{slug}/versions/3/?breaking=1").content.decode()
    assert "No breaking changes between version 2 and version 3." in page


# --- REST -------------------------------------------------------------------------------------


def test_rest_compares_any_two_versions(api_client, pets_versions):
    response = api_client.get(f"/api/v1/apis/{pets_versions.slug}/compare/?from=1&to=3")
    assert response.status_code == 200
    body = response.json()
    assert (body["from_version"], body["to_version"]) == (1, 3)
    assert body["breaking_count"] == 2
    assert body["change_count"] == len(body["changes"])
    kinds = {change["kind"] for change in body["changes"]}
    assert {"operation_removed", "parameter_added"} <= kinds
    assert {"kind", "severity", "operation_key", "detail"} == set(body["changes"][0])


def test_rest_compare_and_changelog_filter_to_breaking(api_client, pets_versions):
    slug = pets_versions.slug
    body = api_client.get(f"/api/v1/apis/{slug}/compare/?from=1&to=3&breaking=true").json()
    assert body["changes"]
    assert {c["severity"] for c in body["changes"]} == {"breaking"}
    assert body["change_count"] > body["breaking_count"] == len(body["changes"])
    body = api_client.get(f"/api/v1/apis/{slug}/changes/?version=2&breaking=1").json()
    assert body["changes"]
    assert {c["severity"] for c in body["changes"]} == {"breaking"}
    body = api_client.get(f"/api/v1/apis/{slug}/changes/?version=3&breaking=1").json()
    assert body["changes"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("to=2", "from"),
        ("from=1&to=abc", "to"),
        ("from=1&to=9", "to"),
        ("from=2&to=2", "to"),
        ("from=3&to=1", "to"),
        ("from=1&to=2&breaking=maybe", "breaking"),
    ],
)
def test_rest_bad_comparisons_are_field_errors(api_client, pets_versions, query, field):
    response = api_client.get(f"/api/v1/apis/{pets_versions.slug}/compare/?{query}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_rest_compare_of_an_unknown_api_is_a_404(api_client):
    assert api_client.get("/api/v1/apis/nothing/compare/?from=1&to=2").status_code == 404


# --- Swagger UI: "try it" against the mock ----------------------------------------------------


def test_swagger_ui_gets_the_spec_with_the_mock_as_its_only_server(owner, pets_api):
    spec = PETS_V1.replace(
        "paths:\n", "servers: [{url: 'https://pets.example.com/v1'}]\npaths:\n", 1
    ).replace(
        "    get:\n      operationId: listPets\n",
        "    get:\n      operationId: listPets\n"
        "      servers: [{url: 'https://other.example.com'}]\n",
    )
    version, _ = spec_version_create(api=pets_api, raw=spec, source="paste", actor=owner)
    response = browser().get(f"/apis/{pets_api.slug}/versions/1/swagger/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["servers"] == [
        {
            "url": f"http://testserver/mock/{pets_api.slug}/1/",
            "description": "Nexus mock of version 1",
        }
    ]
    assert "servers" not in document["paths"]["/pets"]["get"]
    assert document["info"]["version"] == "1.0"
    # What was stored, and the plain openapi.json, keep the real servers.
    version.refresh_from_db()
    assert version.document["servers"] == [{"url": "https://pets.example.com/v1"}]
    plain = browser().get(f"/apis/{pets_api.slug}/versions/1/openapi.json").json()
    assert plain["servers"] == [{"url": "https://pets.example.com/v1"}]


def test_the_swagger_page_loads_the_mock_spec_and_the_badge_styles(pets_api, pets_v1):
    page = browser().get(f"/apis/{pets_api.slug}/versions/1/swagger/").content.decode()
    assert f'data-spec-url="/apis/{pets_api.slug}/versions/1/swagger/openapi.json"' in page
    assert "collab/swagger" in page
    assert "Nexus mock of this version" in page
    assert (
        browser().get(f"/apis/{pets_api.slug}/versions/7/swagger/openapi.json").status_code == 404
    )
