"""The catalog in a browser: comparing two versions with the breaking-only filter, and Swagger
UI's "try it" answered by the Nexus mock with its version badges readable."""

import pytest
from playwright.sync_api import Page, expect

from nexus.collab.services.catalog import api_create, spec_version_create
from tests.collab.conftest import PETS_V1, PETS_V2
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_comparing_versions_and_trying_an_operation_against_the_mock(new_page):
    owner = UserFactory()
    api = api_create(actor=owner, name="Pets")
    for spec in (PETS_V1, PETS_V2):
        spec_version_create(api=api, raw=spec, source="paste", actor=owner)
    page: Page = new_page()

    page.goto(f"/apis/{api.slug}/")
    page.get_by_test_id("compare-link").click()
    expect(page.get_by_label("From (older)")).to_have_value("1")
    expect(page.get_by_label("To (newer)")).to_have_value("2")
    expect(page.get_by_test_id("changes")).to_contain_text("version_changed")
    page.get_by_label("Breaking changes only").check()
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_test_id("changes")).to_contain_text("operation_removed")
    expect(page.get_by_test_id("changes")).not_to_contain_text("version_changed")

    page.goto(f"/apis/{api.slug}/versions/2/swagger/")
    badge = page.locator(".swagger-ui .info .title small pre").first
    expect(badge).to_have_text("2.0")
    assert badge.evaluate("node => getComputedStyle(node).backgroundColor") == "rgba(0, 0, 0, 0)"
    expect(page.locator(".swagger-ui .servers select")).to_contain_text(f"/mock/{api.slug}/2/")
    page.locator("#operations-default-listPets, .opblock-get").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    live = page.locator(".live-responses-table tbody .response-col_status").first
    expect(live).to_have_text("200")
    expect(page.locator(".live-responses-table")).to_contain_text("x-nexus-mock")
