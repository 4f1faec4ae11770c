import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.collab.models import Api, Operation, SpecVersion
from nexus.collab.services.catalog import api_create, spec_version_create
from nexus.core.models import OutboxEvent
from tests.collab.conftest import PETS_V1, PETS_V2
from tests.conditional import if_match

pytestmark = pytest.mark.django_db


def test_registering_an_api_makes_its_creator_the_maintainer(client_for, owner):
    response = client_for(owner).post(
        "/api/v1/apis/", {"name": "Weather", "base_url": "https://weather.example.com"}
    )
    assert response.status_code == 201
    assert response.json()["slug"] == "weather"
    assert response.json()["latest_version"] is None


def test_anonymous_users_cannot_register_apis(api_client):
    assert api_client.post("/api/v1/apis/", {"name": "Weather"}).status_code == 401
    assert not Api.objects.exists()


def test_an_api_can_only_be_given_to_a_team_you_belong_to(client_for, mentor, team):
    response = client_for(mentor).post("/api/v1/apis/", {"name": "X", "team": team.slug})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "team"


def test_a_team_member_maintains_the_teams_api(client_for, owner, other_user, team):
    created = client_for(owner).post("/api/v1/apis/", {"name": "Pets", "team": team.slug})
    assert created.json()["team"] == team.slug
    response = client_for(other_user).post("/api/v1/apis/pets/versions/", {"spec": PETS_V1})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 201), ("other_user", 403), ("mentor", 403), ("admin_user", 201)],
)
def test_who_may_add_a_version(request, client_for, pets_api, who, expected):
    client = client_for(request.getfixturevalue(who))
    response = client.post(f"/api/v1/apis/{pets_api.slug}/versions/", {"spec": PETS_V1})
    assert response.status_code == expected
    assert SpecVersion.objects.filter(api=pets_api).count() == (1 if expected == 201 else 0)


def test_anonymous_users_cannot_add_versions(api_client, pets_api):
    response = api_client.post(f"/api/v1/apis/{pets_api.slug}/versions/", {"spec": PETS_V1})
    assert response.status_code == 401


def test_a_spec_uploaded_as_a_file_becomes_version_one_with_its_operations(
    client_for, owner, pets_api
):
    upload = SimpleUploadedFile("pets.yaml", PETS_V1.encode(), content_type="application/yaml")
    response = client_for(owner).post(
        f"/api/v1/apis/{pets_api.slug}/versions/", {"spec": upload}, format="multipart"
    )
    assert response.status_code == 201
    assert response.json()["number"] == 1
    assert response.json()["source"] == "upload"
    version = SpecVersion.objects.get(api=pets_api)
    assert version.raw_text == PETS_V1
    assert version.document["info"]["title"] == "Pets"
    assert sorted(Operation.objects.filter(version=version).values_list("key", flat=True)) == [
        "GET /pets",
        "GET /pets/{petId}",
        "POST /pets",
    ]


def test_an_identical_upload_answers_the_existing_version(client_for, owner, pets_api, pets_v1):
    as_json = client_for(owner).post(f"/api/v1/apis/{pets_api.slug}/versions/", {"spec": PETS_V1})
    assert as_json.status_code == 200
    assert as_json.json()["number"] == 1
    assert SpecVersion.objects.filter(api=pets_api).count() == 1


def test_an_invalid_spec_is_refused_with_pointers_and_lines_and_nothing_is_stored(
    client_for, owner, pets_api
):
    spec = PETS_V1.replace('"400": {description: Invalid pet}', '"400": {}')
    response = client_for(owner).post(f"/api/v1/apis/{pets_api.slug}/versions/", {"spec": spec})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["pointer"] == "/paths/~1pets/post/responses/400"
    assert error["line"] > 1
    assert not SpecVersion.objects.exists()
    assert not Operation.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"spec": PETS_V1, "url": "https://example.com/spec.yaml"}, {"spec": PETS_V1, "extra": 1}],
)
def test_a_version_needs_exactly_one_spec_source(client_for, owner, pets_api, body):
    response = client_for(owner).post(f"/api/v1/apis/{pets_api.slug}/versions/", body)
    assert response.status_code == 400
    assert not SpecVersion.objects.exists()


def test_an_oversized_upload_is_refused(client_for, owner, pets_api, settings):
    settings.NEXUS_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    upload = SimpleUploadedFile("big.yaml", b"#" * (5 * 1024 * 1024 + 10))
    response = client_for(owner).post(
        f"/api/v1/apis/{pets_api.slug}/versions/", {"spec": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert "limit" in response.json()["errors"][0]["message"]


def test_the_changelog_lists_the_breaking_changes_of_the_latest_version(
    client_for, api_client, owner, pets_api, pets_v1
):
    client_for(owner).post(f"/api/v1/apis/{pets_api.slug}/versions/", {"spec": PETS_V2})
    body = api_client.get(f"/api/v1/apis/{pets_api.slug}/changes/").json()
    assert body["version"] == 2
    assert body["previous_version"] == 1
    breaking = {(c["kind"], c["operation"]) for c in body["changes"] if c["severity"] == "breaking"}
    assert breaking == {
        ("operation_removed", "GET /pets/{petId}"),
        ("request_field_became_required", "POST /pets"),
    }
    first = api_client.get(f"/api/v1/apis/{pets_api.slug}/changes/?version=1").json()
    assert first["changes"] == []
    missing = api_client.get(f"/api/v1/apis/{pets_api.slug}/changes/?version=9")
    assert missing.status_code == 400


def test_operations_are_those_of_the_latest_version(
    client_for, api_client, owner, pets_api, pets_v1
):
    client_for(owner).post(f"/api/v1/apis/{pets_api.slug}/versions/", {"spec": PETS_V2})
    results = api_client.get(f"/api/v1/apis/{pets_api.slug}/operations/").json()["results"]
    assert [(o["method"], o["path"], o["version"]) for o in results] == [
        ("GET", "/pets", 2),
        ("POST", "/pets", 2),
    ]
    detail = api_client.get(f"/api/v1/apis/{pets_api.slug}/operations/{results[1]['id']}/").json()
    body = detail["detail"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["name", "tag"]  # $ref resolved


def test_a_version_can_be_read_with_its_document(api_client, pets_api, pets_v1):
    response = api_client.get(f"/api/v1/apis/{pets_api.slug}/versions/1/")
    assert response.json()["document"]["openapi"] == "3.0.3"
    assert api_client.get(f"/api/v1/apis/{pets_api.slug}/versions/latest/").json()["number"] == 1
    assert api_client.get(f"/api/v1/apis/{pets_api.slug}/versions/7/").status_code == 404


def test_only_maintainers_edit_an_api(client_for, owner, other_user, pets_api):
    assert (
        client_for(other_user)
        .patch(f"/api/v1/apis/{pets_api.slug}/", {"description": "x"}, headers=if_match(pets_api))
        .status_code
        == 403
    )
    response = client_for(owner).patch(
        f"/api/v1/apis/{pets_api.slug}/", {"description": "Better"}, headers=if_match(pets_api)
    )
    assert response.json()["description"] == "Better"


@pytest.mark.parametrize("count", [1, 12])
def test_the_catalog_takes_constant_queries(api_client, owner, count):
    for index in range(count):
        api = api_create(actor=owner, name=f"Api {index}")
        spec_version_create(
            api=api, raw=PETS_V1.replace("Pets", f"Pets {index}"), source="paste", actor=owner
        )
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/apis/?page_size=50")
    assert len(response.json()["results"]) == count
    assert len(queries) <= 2


@pytest.mark.parametrize("count", [1, 6])
def test_versions_and_operations_take_constant_queries(api_client, owner, pets_api, count):
    for index in range(count):
        spec_version_create(
            api=pets_api, raw=PETS_V1.replace('"1.0"', f'"1.{index}"'), source="paste", actor=owner
        )
    with CaptureQueriesContext(connection) as queries:
        versions = api_client.get(f"/api/v1/apis/{pets_api.slug}/versions/?page_size=50").json()
    assert len(versions["results"]) == count
    assert len(queries) <= 3
    with CaptureQueriesContext(connection) as queries:
        operations = api_client.get(f"/api/v1/apis/{pets_api.slug}/operations/").json()
    assert len(operations["results"]) == 3
    assert len(queries) <= 3


def test_a_new_version_publishes_an_event(client_for, owner, pets_api):
    client_for(owner).post(f"/api/v1/apis/{pets_api.slug}/versions/", {"spec": PETS_V1})
    event = OutboxEvent.objects.get(name="api.version_created")
    assert event.payload == {"api": "pets", "version": 1, "breaking": 0, "breaking_operations": []}


def test_a_breaking_version_names_the_pages_of_the_operations_it_breaks(owner, pets_api, pets_v1):
    old = Operation.objects.get(version=pets_v1, key="GET /pets/{petId}")
    spec_version_create(api=pets_api, raw=PETS_V2, source="paste", actor=owner)
    event = OutboxEvent.objects.filter(name="api.version_created").latest("created_at")
    removed = next(
        o for o in event.payload["breaking_operations"] if o["key"] == "GET /pets/{petId}"
    )
    assert removed["urls"] == [f"/apis/pets/operations/{old.pk}/"]
