import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.collab.models import Api, IntegrationIssue, Operation
from nexus.collab.services.catalog import api_create, spec_version_create
from nexus.collab.services.issues import issue_create
from tests.collab.conftest import PETS_V1

pytestmark = pytest.mark.django_db


def gql(client, query, variables=None):
    response = client.post(
        "/graphql/", {"query": query, "variables": variables or {}}, format="json"
    )
    assert response.status_code == 200
    return response.json()


def test_the_catalog_through_graphql(api_client, pets_v1):
    body = gql(
        api_client,
        '{ api(slug: "pets") { name latestVersion { number operations { key } changes { kind } } } }',
    )
    api = body["data"]["api"]
    assert api["latestVersion"]["number"] == 1
    assert {op["key"] for op in api["latestVersion"]["operations"]} == {
        "GET /pets",
        "POST /pets",
        "GET /pets/{petId}",
    }


@pytest.mark.parametrize("count", [1, 8])
def test_the_api_list_takes_constant_queries(api_client, owner, count):
    for index in range(count):
        api = api_create(actor=owner, name=f"Api {index}")
        spec_version_create(
            api=api, raw=PETS_V1.replace("Pets", f"P{index}"), source="paste", actor=owner
        )
    with CaptureQueriesContext(connection) as queries:
        body = gql(
            api_client,
            "{ apis(pagination: {limit: 20}) { results { slug latestVersion { number } } } }",
        )
    assert len(body["data"]["apis"]["results"]) == count
    assert len(queries) <= 3


FILE = """mutation($data: IssueInput!) { fileIntegrationIssue(data: $data) {
  issue { id status api { slug } } errors { field message } } }"""


def test_filing_and_moving_an_issue_through_graphql(client_for, owner, other_user, pets_v1):
    filed = gql(
        client_for(other_user),
        FILE,
        {"data": {"api": "pets", "title": "Tags", "operation": "POST /pets"}},
    )
    issue = filed["data"]["fileIntegrationIssue"]["issue"]
    assert issue["status"] == "OPEN" or issue["status"] == "open"
    move = 'mutation { moveIntegrationIssue(id: %s, status: "%s") { issue { status } errors { field message } } }'
    refused = gql(client_for(other_user), move % (issue["id"], "triaged"))
    assert refused["data"]["moveIntegrationIssue"] == {
        "issue": None,
        "errors": [{"field": "__all__", "message": "You may not move this issue."}],
    }
    bad = gql(client_for(owner), move % (issue["id"], "resolved"))
    assert bad["data"]["moveIntegrationIssue"]["errors"][0]["field"] == "status"
    gql(client_for(owner), move % (issue["id"], "triaged"))
    assert IntegrationIssue.objects.get().status == "triaged"


def test_graphql_mutations_return_field_errors(client_for, api_client, other_user, pets_v1):
    bad = gql(client_for(other_user), FILE, {"data": {"api": "pets", "title": "", "kind": "rant"}})
    fields = {e["field"] for e in bad["data"]["fileIntegrationIssue"]["errors"]}
    assert {"title", "kind"} <= fields
    assert not IntegrationIssue.objects.exists()
    unknown = gql(client_for(other_user), FILE, {"data": {"api": "nope", "title": "x"}})
    assert unknown["data"]["fileIntegrationIssue"]["errors"] == [
        {"field": "api", "message": "No such API."}
    ]
    anonymous = gql(api_client, FILE, {"data": {"api": "pets", "title": "x"}})
    assert anonymous["errors"]


def test_rating_through_graphql(client_for, other_user, pets_v1):
    op = Operation.objects.get(version=pets_v1, key="GET /pets")
    rate = """mutation($data: RatingInput!) { rateOperation(data: $data) {
      feedback { naming operationKey } errors { field } } }"""
    body = gql(client_for(other_user), rate, {"data": {"operationId": op.pk, "naming": 5}})
    assert body["data"]["rateOperation"]["feedback"] == {"naming": 5, "operationKey": "GET /pets"}
    body = gql(client_for(other_user), rate, {"data": {"operationId": op.pk, "naming": 9}})
    assert body["data"]["rateOperation"]["errors"][0]["field"] == "naming"


def test_nexus_own_api_is_the_first_catalog_entry_and_refreshes_idempotently(api_client, owner):
    api_create(actor=owner, name="Aardvark")
    call_command("catalog_own_api")
    call_command("catalog_own_api")
    nexus = Api.objects.get(slug="nexus")
    assert nexus.versions.count() == 1
    assert Operation.objects.filter(api=nexus, key="GET /api/v1/apis/").exists()
    listed = api_client.get("/api/v1/apis/").json()["results"]
    assert [a["slug"] for a in listed] == ["nexus", "aardvark"]
    issue_create(reporter=owner, api=nexus, title="Dogfood", operation_key="GET /api/v1/apis/")
