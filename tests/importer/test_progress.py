"""Import progress: counted in items from the first one, kept on the job (a reload shows it), and
in embedded mode the import runs beside the request, not in it."""

import threading

import pytest
from celery.signals import task_prerun
from django.core.files.uploadedfile import SimpleUploadedFile

from nexus.core import background
from nexus.importer import sources
from nexus.importer.models import ImportJob, JobStatus
from nexus.importer.pipeline import ImportProgress, run_import
from nexus.importer.services import JobProgressRecorder, import_job_create
from tests import figures
from tests.importer.journals import JOURNAL, journals_zip

JOURNALS = 6


@pytest.fixture
def web(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def _written(report: dict) -> int:
    return sum(count for action, count in report["totals"].items() if action not in ("failed",))


def test_progress_is_counted_in_items_known_before_the_first_is_written(owner):
    updates: list[ImportProgress] = []
    source = sources.from_bytes(name="journals.zip", data=journals_zip(JOURNALS), key="progress")
    report = run_import(owner=owner, source=source, progress=updates.append)

    counted = [update for update in updates if update.items_total]
    first, last = counted[0], counted[-1]
    assert (first.items_done, first.files_done) == (0, 0)
    assert first.items_total == last.items_total == _written(report)
    assert (last.items_done, last.files_done, last.files_total) == (
        last.items_total,
        JOURNALS,
        JOURNALS,
    )
    done = [update.items_done for update in counted]
    assert done == sorted(done)
    # Reading comes first (no total yet), then one step a file: the bar moves six times.
    assert len(set(done)) == JOURNALS + 1
    assert all(not update.items_total for update in updates[: updates.index(first)])


def test_a_re_import_counts_the_unchanged_items_too(owner):
    data = journals_zip(2)
    run_import(owner=owner, source=sources.from_bytes(name="j.zip", data=data, key="again"))
    updates: list[ImportProgress] = []
    source = sources.from_bytes(name="j.zip", data=data, key="again")
    report = run_import(owner=owner, source=source, progress=updates.append)
    assert report["files"]["unchanged"] == 2
    assert updates[-1].items_total == updates[-1].items_done == report["totals"]["unchanged"] > 0


def test_the_job_records_each_step_so_a_reload_reads_it(owner, web):
    job = ImportJob.objects.create(
        owner=owner, source_kind="zip", source="j.zip", status=JobStatus.RUNNING
    )
    record = JobProgressRecorder(job.pk)
    record(ImportProgress(0, 4, 0, 0, "a/README.md"))
    job.refresh_from_db()
    assert (job.is_reading, job.percent, job.current_path) == (True, 0, "a/README.md")
    html = web(owner).get(job.get_absolute_url()).content.decode()
    assert "Reading the files (4)… a/README.md" in html

    record(ImportProgress(0, 4, 0, 40, ""))  # the count is news: saved however recent the last
    record(ImportProgress(1, 4, 10, 40, "a/README.md"))  # within the half second: not saved
    job.refresh_from_db()
    assert (job.items_done, job.items_total, job.percent) == (0, 40, 0)
    record.saved_at = None  # as if half a second had passed
    record(ImportProgress(1, 4, 10, 40, "a/README.md"))
    job.refresh_from_db()
    assert (job.items_done, job.files_done, job.percent, job.is_reading) == (10, 1, 25, False)

    for _reload in range(2):  # the same state, read from the database each time
        html = web(owner).get(job.get_absolute_url()).content.decode()
        assert '<progress value="25" max="100"' in html
        assert 'aria-valuenow="25"' in html
        assert 'aria-valuetext="10 of 40 items"' in html
        assert "10 of 40 items, 1 of 4 files — a/README.md" in html
    record(ImportProgress(4, 4, 40, 40, "d/README.md"))  # the last file: always saved
    job.refresh_from_db()
    assert (job.items_done, job.files_done) == (40, 4)


def test_the_api_gives_items_and_the_percent_they_make(owner, client_for):
    job = ImportJob.objects.create(
        owner=owner,
        source_kind="zip",
        source="j.zip",
        status=JobStatus.RUNNING,
        files_total=4,
        files_done=1,
        items_total=12,
        items_done=3,
    )
    body = client_for(owner).get(f"/api/v1/imports/{job.pk}/").json()
    assert (body["items_total"], body["items_done"], body["percent"]) == (12, 3, 25)
    assert (body["files_total"], body["files_done"]) == (4, 1)


def test_a_one_file_import_ends_with_every_item_counted(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(owner=owner, upload_name="README.md", upload_data=JOURNAL.encode())
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.items_total == job.items_done == _written(job.report) > 1
    assert (job.files_total, job.files_done, job.percent) == (1, 1, 100)


@pytest.mark.django_db(transaction=True)
def test_embedded_mode_answers_the_upload_at_once_and_imports_on_the_background_thread(
    owner, web, settings
):
    settings.NEXUS_LONG_TASKS_IN_BACKGROUND = True
    threads: list[str] = []
    first_paint_seen = threading.Event()

    def hold_until_first_paint(sender=None, **_kwargs):
        # The import may start only once the job page has been served: were it run by the
        # request (inline), the upload would never answer and the test would time out here.
        if sender is not None and sender.name == "nexus.importer.tasks.run_import_job":
            threads.append(threading.current_thread().name)
            assert first_paint_seen.wait(timeout=60)

    task_prerun.connect(hold_until_first_paint, weak=False)
    try:
        upload = SimpleUploadedFile("journals.zip", journals_zip(JOURNALS))
        response = web(owner).post("/imports/", {"file": upload})
        first_paint = web(owner).get(response["Location"]).content.decode()
        first_paint_seen.set()
        background.wait_until_idle()
    finally:
        task_prerun.disconnect(hold_until_first_paint)
    assert response.status_code == 302
    assert 'data-status="queued"' in first_paint
    assert '<progress value="0" max="100"' in first_paint
    assert "Waiting to start…" in first_paint
    job = ImportJob.objects.get()
    assert threads == ["nexus-background-tasks"]
    assert job.status == JobStatus.SUCCEEDED
    assert job.items_done == job.items_total == _written(job.report)
    figures.report(
        f"import progress: a {JOURNALS}-journal zip ({job.items_total} items) answered the "
        "upload at once, first paint 0 %, imported on the background thread"
    )


def test_the_progress_of_one_file_and_one_item_reads_in_the_singular(owner, web):
    job = ImportJob.objects.create(
        owner=owner, source_kind="file", source="j.md", status=JobStatus.RUNNING
    )
    record = JobProgressRecorder(job.pk)
    record(ImportProgress(0, 1, 0, 1, ""))
    html = web(owner).get(job.get_absolute_url()).content.decode()
    assert 'aria-valuetext="0 of 1 item"' in html
    assert "0 of 1 item, 0 of 1 file" in html
