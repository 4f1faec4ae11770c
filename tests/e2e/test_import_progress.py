"""Import progress in a real browser, in embedded mode: the upload of a zip of many journals
answers at once, the first paint shows a bar below 100, a reload shows the job where it is, and
the bar reaches 100 with the report."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from nexus.accounts.models import User
from nexus.core import background
from nexus.importer.models import ImportJob
from tests import figures
from tests.e2e.login import log_in
from tests.importer.journals import journals_zip

pytestmark = pytest.mark.e2e

PASSWORD = "correct-Horse-battery-41"
# Enough journals for the page to show the import running between 0 and 100 %: written in
# chunks, 40 of them were done inside one refresh of the page.
JOURNALS = 160
PROGRESS_VALUE = re.compile(r'<progress value="(\d+)" max="100"')


@pytest.fixture
def embedded_background_tasks(settings):
    settings.NEXUS_LONG_TASKS_IN_BACKGROUND = True
    yield
    background.wait_until_idle()  # nothing may still write while the database is flushed


def _wait_for_value_above(bar, floor: int, timeout: float = 120) -> int:
    """The bar's value once htmx has swapped in one above `floor` (a file has been written)."""
    deadline = time.monotonic() + timeout
    while (value := int(bar.get_attribute("value") or 0)) <= floor:
        assert time.monotonic() < deadline, f"the bar stayed at {value}"
        time.sleep(0.2)
    return value


def test_the_bar_starts_below_100_survives_a_reload_and_reaches_100(
    page: Page, screenshot, tmp_path, embedded_background_tasks
):
    User.objects.create_user("ada@example.com", PASSWORD, display_name="Ada Lovelace")
    archive = tmp_path / "journals.zip"
    archive.write_bytes(journals_zip(JOURNALS))

    log_in(page, "ada@example.com", PASSWORD)

    page.goto("/imports/")
    page.get_by_label("Markdown file or .zip").set_input_files(str(archive))
    started = time.perf_counter()
    with page.expect_response(re.compile(r"/imports/\d+/$")) as job_page:
        page.get_by_role("button", name="Import").click()
    answered = time.perf_counter() - started
    first_paint = job_page.value.text()
    match = PROGRESS_VALUE.search(first_paint)
    assert match is not None, first_paint
    first_value = int(match.group(1))
    assert first_value < 100
    assert 'data-status="succeeded"' not in first_paint
    bar = page.get_by_role("progressbar", name="Import progress")
    expect(bar).to_be_visible()
    screenshot("import-progress-first-paint")

    # Once the files are read the counts show; a reload reads the same job from the database.
    expect(page.get_by_test_id("import-counts")).to_contain_text(
        re.compile(r"\d+ of \d+ items"), timeout=60_000
    )
    value_before_reload = _wait_for_value_above(bar, 0)
    page.reload()
    bar = page.get_by_role("progressbar", name="Import progress")
    expect(bar).to_be_visible()
    assert int(bar.get_attribute("aria-valuenow") or 0) >= value_before_reload
    screenshot("import-progress-after-reload")

    status = page.get_by_test_id("import-status")
    expect(status).to_have_attribute("data-status", "succeeded", timeout=180_000)
    expect(bar).to_have_attribute("value", "100")
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("import-report")).to_be_visible()
    finished = time.perf_counter() - started
    screenshot("import-progress-done")

    job = ImportJob.objects.get()
    assert (job.files_done, job.items_done) == (JOURNALS, job.items_total)
    figures.report(
        f"import progress (browser): {JOURNALS} journals, {job.items_total} items; the upload "
        f"answered in {answered:.2f} s with the bar at {first_value} %, "
        f"{value_before_reload} % before the reload, 100 % after {finished:.0f} s"
    )
