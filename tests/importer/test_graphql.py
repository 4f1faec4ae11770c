"""GraphQL for imports: own jobs and reports, typed errors for bad URLs, query-count bound."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.accounts.jwt import refresh_token_for
from nexus.importer.models import ImportJob
from nexus.importer.services import import_job_create

JOBS = "query { importJobs { id source status percent report } }"


def graphql(client, query, variables=None, user=None):
    headers = {"Authorization": f"Bearer {refresh_token_for(user).access_token}"} if user else {}
    response = client.post(
        "/graphql/",
        {"query": query, "variables": variables or {}},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_jobs_and_their_reports_are_visible_to_the_owner_only(
    client, owner, other_user, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(owner=owner, upload_name="a.md", upload_data=b"# A\n\nText.\n")
    mine = graphql(client, JOBS, user=owner)["data"]["importJobs"]
    assert [row["id"] for row in mine] == [str(job.pk)]
    assert mine[0]["status"] == "succeeded"
    assert mine[0]["report"]["files"]["imported"] == 1
    assert graphql(client, JOBS, user=other_user)["data"]["importJobs"] == []
    assert len(graphql(client, JOBS, user=admin_user)["data"]["importJobs"]) == 1
    assert graphql(client, JOBS)["data"]["importJobs"] == []
    single = "query($id: ID!) { importJob(id: $id) { source } }"
    assert graphql(client, single, {"id": job.pk}, user=other_user)["data"]["importJob"] is None
    found = graphql(client, single, {"id": job.pk}, user=owner)["data"]["importJob"]
    assert found == {"source": "a.md"}


@pytest.mark.parametrize("url", ["file:///etc", "http://example.com/r.git", "https://10.0.0.1/r"])
def test_start_import_returns_typed_errors_for_unsafe_urls(client, owner, url):
    mutation = """mutation($url: String!) {
      startImport(url: $url) { job { id } errors { field message code } }
    }"""
    payload = graphql(client, mutation, {"url": url}, user=owner)["data"]["startImport"]
    assert payload["job"] is None
    assert payload["errors"][0]["field"] == "url"
    assert ImportJob.objects.count() == 0


def test_start_import_needs_a_login(client):
    mutation = 'mutation { startImport(url: "https://github.com/a/b.git") { errors { code } } }'
    payload = graphql(client, mutation)["data"]["startImport"]
    assert payload["errors"] == [{"code": "forbidden"}]


@pytest.mark.parametrize("count", [2, 12])
def test_listing_jobs_runs_a_constant_number_of_queries(client, owner, count):
    for index in range(count):
        ImportJob.objects.create(owner=owner, source_kind="file", source=f"{index}.md")
    with CaptureQueriesContext(connection) as queries:
        rows = graphql(client, JOBS, user=owner)["data"]["importJobs"]
    assert len(rows) == count
    assert len(queries) <= 4
