import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nexus.collab.models import Api, EndpointFeedback, IntegrationIssue, Operation, SpecVersion
from nexus.collab.services.catalog import api_create, spec_version_create
from nexus.collab.services.consumers import consumer_declare
from nexus.collab.services.issues import issue_create
from tests.collab.conftest import PETS_V1, PETS_V2

pytestmark = pytest.mark.django_db


def browser(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_catalog_page_lists_apis_and_has_an_empty_state(owner):
    assert "The catalog is empty" in browser().get("/apis/").content.decode()
    api_create(actor=owner, name="Weather")
    page = browser().get("/apis/").content.decode()
    assert "Weather" in page
    assert 'href="/apis/"' in page  # the nav link


def test_registering_an_api_from_the_web(owner):
    response = browser(owner).post("/apis/new/", {"name": "Weather", "base_url": "not a url"})
    assert 'data-field="base_url"' in response.content.decode()
    response = browser(owner).post("/apis/new/", {"name": "Weather"})
    assert response.status_code == 302
    assert Api.objects.filter(slug="weather").exists()


def test_registering_needs_a_login():
    response = browser().get("/apis/new/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_uploading_a_version_from_the_web_shows_the_changelog(owner, other_user, pets_api, pets_v1):
    consumer_declare(api=pets_api, actor=other_user)
    upload = SimpleUploadedFile("pets.yaml", PETS_V2.encode())
    response = browser(owner).post(f"/apis/{pets_api.slug}/versions/", {"spec_file": upload})
    assert response.status_code == 302
    assert response["Location"] == f"/apis/{pets_api.slug}/versions/2/"
    page = browser(owner).get(response["Location"]).content.decode()
    assert "operation_removed" in page
    assert "2 breaking" in page
    alerts = browser(other_user).get("/apis/alerts/").content.decode()
    assert "request_field_became_required" in alerts
    assert "Open integration issue" in alerts


def test_a_refused_spec_shows_each_problem_with_its_line(owner, pets_api):
    spec = PETS_V1.replace('"400": {description: Invalid pet}', '"400": {}')
    response = browser(owner).post(f"/apis/{pets_api.slug}/versions/", {"spec_text": spec})
    assert response.status_code == 400
    page = response.content.decode()
    assert "/paths/~1pets/post/responses/400" in page
    assert "(line 34)" in page
    assert not SpecVersion.objects.exists()


def test_only_maintainers_upload_versions_from_the_web(other_user, pets_api):
    response = browser(other_user).post(f"/apis/{pets_api.slug}/versions/", {"spec_text": PETS_V1})
    assert response.status_code == 403


def test_the_operation_page_shows_examples_and_takes_ratings(other_user, pets_api, pets_v1):
    op = Operation.objects.get(version=pets_v1, key="POST /pets")
    url = f"/apis/{pets_api.slug}/operations/{op.pk}/"
    page = browser().get(url).content.decode()
    assert "&quot;name&quot;: &quot;Ken Thompson&quot;" in page  # generated request example
    assert "&quot;tag&quot;: &quot;dog&quot;" in page  # the spec's own response example
    response = browser(other_user).post(
        url, {"naming": "5", "comment": "Clear"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="feedback"' in response.content.decode()
    assert "Rated <strong>5.0</strong>/5 by 1 reviewer —" in response.content.decode()
    assert EndpointFeedback.objects.get().naming == 5
    assert "rated 5.0/5 by 1 reviewer" in browser().get(f"/apis/{pets_api.slug}/").content.decode()


def test_a_rating_with_no_scores_shows_the_error_next_to_the_field(other_user, pets_v1):
    op = Operation.objects.get(version=pets_v1, key="POST /pets")
    response = browser(other_user).post(f"/apis/pets/operations/{op.pk}/", {"comment": "hm"})
    assert 'data-field="naming"' in response.content.decode()


def test_filing_an_issue_from_an_alert_prefills_the_change(owner, other_user, pets_api, pets_v1):
    spec_version_create(api=pets_api, raw=PETS_V2, source="paste", actor=owner)
    change = pets_api.versions.get(number=2).changes.get(kind="request_field_became_required")
    form = browser(other_user).get(f"/apis/pets/issues/new/?change={change.pk}").content.decode()
    assert "Linked to the breaking change in version 2" in form
    response = browser(other_user).post(
        "/apis/pets/issues/new/",
        {
            "title": "Tag now required",
            "kind": "contract_mismatch",
            "operation_key": "POST /pets",
            "change": change.pk,
        },
    )
    issue = IntegrationIssue.objects.get()
    assert response["Location"] == f"/issues/{issue.pk}/"
    assert issue.change == change


def test_moving_an_issue_through_the_board(owner, other_user, pets_v1):
    issue = issue_create(reporter=other_user, api=pets_v1.api, title="Broken")
    assert (
        browser(other_user).post(f"/issues/{issue.pk}/status/", {"status": "triaged"}).status_code
        == 403
    )
    browser(owner).post(f"/issues/{issue.pk}/status/", {"status": "triaged"})
    board = browser().get("/issues/board/").content.decode()
    triaged_column = board.split('data-status="triaged"')[1].split("</section>")[0]
    assert "Broken" in triaged_column
    detail = browser(owner).get(f"/issues/{issue.pk}/").content.decode()
    assert "changed status" in detail


def test_the_triage_form_names_people_without_their_e_mail_addresses(
    owner, other_user, mentor, pets_v1
):
    issue = issue_create(reporter=other_user, api=pets_v1.api, title="Broken")
    for triager in (owner, mentor):
        page = browser(triager).get(f"/issues/{issue.pk}/").content.decode()
        assert f"Oscar Other (#{other_user.pk})" in page
        assert other_user.email not in page
        assert mentor.email not in page
    browser(owner).post(f"/issues/{issue.pk}/triage/", {"assignee": other_user.pk, "labels": ""})
    issue.refresh_from_db()
    assert issue.assignee == other_user


def test_issue_list_filters_with_htmx_partials(other_user, pets_v1):
    issue_create(reporter=other_user, api=pets_v1.api, title="Docs are thin", kind="docs_gap")
    issue_create(reporter=other_user, api=pets_v1.api, title="Crash", kind="bug")
    response = browser().get("/issues/?kind=bug", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.startswith('<div id="issue-rows">')
    assert "Crash" in page
    assert "Docs are thin" not in page


def test_the_swagger_page_and_its_spec(pets_v1):
    page = browser().get("/apis/pets/versions/1/swagger/").content.decode()
    assert "swagger-ui-bundle.js" in page
    assert 'data-spec-url="/apis/pets/versions/1/swagger/openapi.json"' in page
    assert browser().get("/apis/pets/versions/1/openapi.json").json()["info"]["title"] == "Pets"


def test_unknown_things_are_404s(pets_v1):
    assert browser().get("/apis/nope/").status_code == 404
    assert browser().get("/apis/pets/versions/5/").status_code == 404
    assert browser().get("/issues/999/").status_code == 404


@pytest.mark.parametrize("count", [1, 8])
def test_catalog_and_issue_pages_take_constant_queries(owner, other_user, count):
    for index in range(count):
        api = api_create(actor=owner, name=f"Api {index}")
        spec_version_create(
            api=api, raw=PETS_V1.replace("Pets", f"P{index}"), source="paste", actor=owner
        )
        issue_create(reporter=other_user, api=api, title=f"I{index}", labels=["x"])
    client = browser()
    with CaptureQueriesContext(connection) as catalog:
        client.get("/apis/")
    with CaptureQueriesContext(connection) as issues:
        client.get("/issues/")
    assert len(catalog) <= 3
    assert len(issues) <= 5
