"""The collaboration hub in a browser: register an API, two versions, a breaking change reaching a
consumer, a rating, an integration issue moved through its statuses, and the mock endpoint."""

import re

import pytest
from playwright.sync_api import Page, expect

from nexus.collab.models import IntegrationIssue
from tests.collab.conftest import PETS_V1, PETS_V2
from tests.e2e.login import log_in
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.e2e


def test_an_api_from_registration_to_a_closed_integration_issue(new_page, screenshot, tmp_path):
    backend = UserFactory(email="bola@example.com", display_name="Bola Backend")
    frontend = UserFactory(email="fern@example.com", display_name="Fern Frontend")
    maintainer: Page = new_page()
    consumer: Page = new_page()
    log_in(maintainer, email=backend.email, password=DEFAULT_PASSWORD)
    log_in(consumer, email=frontend.email, password=DEFAULT_PASSWORD)

    # The backend learner registers the API and pastes its first spec.
    maintainer.get_by_test_id("nav-collab").click()
    expect(maintainer.get_by_role("main")).to_contain_text("The catalog is empty")
    maintainer.get_by_test_id("register-api").click()
    maintainer.get_by_label("Name").fill("Pets")
    maintainer.get_by_label("Description").fill("Pets for the frontend cohort")
    maintainer.get_by_role("button", name="Register").click()
    expect(maintainer.get_by_test_id("api-name")).to_have_text("Pets")
    maintainer.get_by_label("…or paste it").fill(PETS_V1)
    maintainer.get_by_role("button", name="Add version").click()
    expect(maintainer).to_have_url(re.compile(r"/apis/pets/versions/1/$"))
    expect(maintainer.get_by_role("main")).to_contain_text("this is the first version")
    screenshot("version-1", maintainer)

    # The frontend learner declares they use POST /pets.
    consumer.goto("/apis/pets/")
    consumer.get_by_text("I use this API").click()
    consumer.get_by_role("combobox", name="Operations").fill("POST /pets")
    consumer.keyboard.press("Enter")
    consumer.get_by_test_id("consume").click()
    expect(consumer.get_by_role("status").first).to_contain_text("You are now a consumer of Pets")

    # Version 2 is uploaded as a file and breaks POST /pets.
    spec_file = tmp_path / "pets-v2.yaml"
    spec_file.write_text(PETS_V2)
    maintainer.goto("/apis/pets/")
    maintainer.get_by_text("Add a spec version").click()
    maintainer.get_by_label("Upload a YAML or JSON file").set_input_files(spec_file)
    maintainer.get_by_role("button", name="Add version").click()
    expect(maintainer).to_have_url(re.compile(r"/apis/pets/versions/2/$"))
    changes = maintainer.get_by_test_id("changes")
    expect(changes).to_contain_text("operation_removed")
    expect(changes).to_contain_text("request_field_became_required")
    expect(maintainer.get_by_role("main")).to_contain_text("2 breaking")
    screenshot("version-2-changelog", maintainer)

    # The consumer sees the alert and opens an integration issue from it in one click.
    consumer.get_by_test_id("alerts-link").first.click()
    alert = consumer.get_by_test_id("alert")
    expect(alert).to_contain_text("Pets version 2")
    expect(alert).to_contain_text("field 'tag' is now required")
    expect(alert).not_to_contain_text("GET /pets/{petId}")  # not an operation they use
    screenshot("consumer-alert", consumer)
    alert.get_by_test_id("open-issue").click()
    expect(consumer.get_by_test_id("linked-change")).to_contain_text("version 2")
    expect(consumer.get_by_label("Title")).to_have_value(re.compile("tag"))
    consumer.get_by_role("button", name="File issue").click()
    expect(consumer.get_by_test_id("issue-status")).to_have_text("Open")
    issue = IntegrationIssue.objects.get()
    assert issue.operation_key == "POST /pets"
    assert issue.change is not None

    # The consumer rates POST /pets (an htmx form).
    consumer.goto("/apis/pets/")
    consumer.get_by_test_id("operations").get_by_role("link", name="/pets").nth(1).click()
    expect(consumer.get_by_role("heading", level=1)).to_contain_text("POST")
    consumer.get_by_text("Rate this operation").click()
    form = consumer.get_by_test_id("feedback-form")
    form.get_by_role("group", name="Naming").locator("label", has_text="4 of 5 stars").click()
    form.get_by_role("group", name="Error messages").locator(
        "label", has_text="2 of 5 stars"
    ).click()
    form.get_by_label("Comment").fill("400 responses do not say which field is wrong")
    form.get_by_role("button", name="Save rating").click()
    expect(consumer.get_by_test_id("feedback-summary")).to_contain_text("Rated 3.0/5 by 1")
    expect(consumer.get_by_role("status").filter(has_text="Saved your rating")).to_be_visible()
    screenshot("operation-feedback", consumer)

    # The maintainer moves the issue through its statuses.
    maintainer.goto(f"/issues/{issue.pk}/")
    for status, label in [
        ("triaged", "Triaged"),
        ("in_progress", "In progress"),
        ("resolved", "Resolved"),
        ("closed", "Closed"),
    ]:
        maintainer.get_by_test_id(f"status-{status}").click()
        expect(maintainer.get_by_test_id("issue-status")).to_have_text(label)
    expect(maintainer.get_by_test_id("history")).to_contain_text(
        "changed status from resolved to closed"
    )
    screenshot("issue-closed", maintainer)
    maintainer.goto("/issues/board/")
    expect(maintainer.locator('[data-status="closed"]')).to_contain_text(issue.title)

    # The mock answers from the spec and validates requests against it.
    valid = maintainer.request.post("/mock/pets/2/pets", data={"name": "Rex", "tag": "dog"})
    assert valid.status == 201
    assert valid.json() == {"id": 7, "name": "Rex", "tag": "dog"}
    invalid = maintainer.request.post("/mock/pets/2/pets", data={"name": "Rex"})
    assert invalid.status == 400
    assert "'tag' is a required property" in invalid.json()["errors"][0]["message"]

    # Swagger UI renders the stored version.
    maintainer.goto("/apis/pets/versions/2/swagger/")
    expect(maintainer.locator("#swagger-ui")).to_contain_text("/pets")
    screenshot("swagger-ui", maintainer)


def test_collab_pages_fit_a_phone_in_dark_mode(new_page, screenshot):
    from nexus.collab.models import Operation
    from nexus.collab.services.catalog import api_create, spec_version_create
    from nexus.collab.services.issues import issue_create
    from tests.e2e.test_accounts_flow import assert_phone_shell

    owner = UserFactory()
    api = api_create(actor=owner, name="Pets")
    version = spec_version_create(api=api, raw=PETS_V1, source="paste", actor=owner)[0]
    spec_version_create(api=api, raw=PETS_V2, source="paste", actor=owner)
    issue = issue_create(reporter=owner, api=api, title="A rather long issue title about tags")
    operation = Operation.objects.get(version=version, key="POST /pets")
    page = new_page(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        color_scheme="dark",
    )
    for step, url in [
        ("catalog", "/apis/"),
        ("api", "/apis/pets/"),
        ("changelog", "/apis/pets/versions/2/"),
        ("operation", f"/apis/pets/operations/{operation.pk}/"),
        ("issues", "/issues/"),
        ("board", "/issues/board/"),
        ("issue", f"/issues/{issue.pk}/"),
    ]:
        page.goto(url)
        assert_phone_shell(page, screenshot, step)
