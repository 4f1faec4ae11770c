"""Importer in a real browser: upload a learning journal and reach the import report."""

import re

import pytest
from playwright.sync_api import Page, expect

from nexus.accounts.models import User
from nexus.importer.models import ImportJob
from nexus.knowledge.models import Article
from tests.e2e.login import log_in
from tests.importer.journals import JOURNAL

pytestmark = pytest.mark.e2e

PASSWORD = "correct-Horse-battery-41"


def test_upload_a_journal_and_reach_the_report(page: Page, screenshot, tmp_path):
    User.objects.create_user("ada@example.com", PASSWORD, display_name="Ada Lovelace")
    journal = tmp_path / "README.md"
    journal.write_text(JOURNAL, encoding="utf-8")

    log_in(page, "ada@example.com", PASSWORD)

    page.get_by_test_id("user-menu").click()  # Import sits in the user menu
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    expect(page).to_have_url(re.compile(r"/imports/$"))
    expect(page.get_by_text("No imports yet")).to_be_visible()
    page.get_by_label("Markdown file or .zip").set_input_files(str(journal))
    screenshot("import-form")
    page.get_by_role("button", name="Import").click()

    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))
    status = page.get_by_test_id("import-status")
    expect(status).to_have_attribute("data-status", "succeeded", timeout=15_000)
    report = page.get_by_test_id("import-report")
    expect(report).to_be_visible()
    # Five articles, the journal's challenge (solved) and its month's worklog entry.
    expect(page.get_by_test_id("total-created")).to_have_text("7")
    expect(report).to_contain_text("Slow list page")
    expect(report).not_to_contain_text("waiting for")
    screenshot("import-report")

    report.get_by_role("link", name="Test query counts").click()
    expect(page.get_by_role("heading", name="Test query counts")).to_be_visible()
    assert ImportJob.objects.get().status == "succeeded"
    assert Article.objects.filter(author__email="ada@example.com").count() == 5
