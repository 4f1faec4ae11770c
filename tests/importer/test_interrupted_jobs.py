"""A job whose run stopped (a worker lost, the embedded server restarted, a run that raised) does
not stay "running" for ever: it is begun again, repeating nothing, or it fails with the reason."""

from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from nexus.core import background, clock
from nexus.importer import services, tasks
from nexus.importer.models import ImportedItem, ImportJob, JobStatus
from tests.importer.journals import JOURNAL

LONG_AGO = services.RUN_LOST_AFTER + timedelta(minutes=1)


def _job(owner, *, status, started_ago=LONG_AGO, attempts=1):
    job = services.import_job_create(
        owner=owner, upload_name="README.md", upload_data=JOURNAL.encode()
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        created_at=clock.now() - started_ago,
        started_at=None if status == JobStatus.QUEUED else clock.now() - started_ago,
        attempts=attempts,
    )
    return job


def _resume(capture):
    with capture(execute=True):
        return tasks.resume_interrupted_imports()


def test_a_job_whose_run_can_no_longer_be_alive_is_begun_again_and_finishes(
    owner, django_capture_on_commit_callbacks
):
    job = _job(owner, status=JobStatus.RUNNING)

    assert _resume(django_capture_on_commit_callbacks) == 1

    job.refresh_from_db()
    assert (job.status, job.attempts, job.files_done) == (JobStatus.SUCCEEDED, 2, 1)
    assert job.report["totals"]["created"] > 1


def test_a_run_stopped_after_writing_is_finished_without_writing_twice(
    owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            owner=owner, upload_name="README.md", upload_data=JOURNAL.encode()
        )
    written = ImportedItem.objects.count()
    # As if its process stopped after the last write, before the job was marked finished.
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=clock.now() - LONG_AGO
    )

    assert _resume(django_capture_on_commit_callbacks) == 1

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.report["totals"]["created"], ImportedItem.objects.count()) == (0, written), (
        job.report
    )


def test_a_run_that_may_still_be_alive_is_left_alone(owner, django_capture_on_commit_callbacks):
    job = _job(owner, status=JobStatus.RUNNING, started_ago=timedelta(minutes=2))

    assert _resume(django_capture_on_commit_callbacks) == 0

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)


def test_a_queued_job_whose_message_was_lost_is_queued_again(
    owner, django_capture_on_commit_callbacks
):
    job = _job(owner, status=JobStatus.QUEUED, attempts=0)

    assert _resume(django_capture_on_commit_callbacks) == 1

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 1)


def test_a_job_begun_too_often_fails_with_the_reason_and_is_not_begun_again(
    owner, django_capture_on_commit_callbacks
):
    job = _job(owner, status=JobStatus.RUNNING, attempts=services.MAX_ATTEMPTS)

    assert _resume(django_capture_on_commit_callbacks) == 0

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith(f"The import stopped {services.MAX_ATTEMPTS} times")
    assert job.finished_at is not None
    assert not ImportedItem.objects.exists()


@pytest.mark.parametrize(
    ("raised", "reason"),
    [
        (SoftTimeLimitExceeded(), "took longer than 10 minutes"),
        (RuntimeError("a defect"), "unexpected error on our side"),
    ],
)
def test_a_run_that_raises_ends_failed_with_a_reason_not_running(
    owner, monkeypatch, django_capture_on_commit_callbacks, raised, reason
):
    def stop(*_args, **_kwargs):
        raise raised

    monkeypatch.setattr(services, "run_import", stop)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            owner=owner, upload_name="README.md", upload_data=JOURNAL.encode()
        )

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert reason in job.error
    assert "a defect" not in job.error


@pytest.mark.django_db(transaction=True)
def test_the_embedded_server_begins_again_what_its_previous_process_left(owner, settings):
    # Created (and, committed at once here, run inline) before the background thread is on, so
    # that no first run races the test's own "left running" state.
    job = _job(owner, status=JobStatus.RUNNING, started_ago=timedelta(seconds=5))
    settings.NEXUS_LONG_TASKS_IN_BACKGROUND = True

    resumed = services.import_jobs_resume_after_restart()
    background.wait_until_idle()

    assert resumed == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)


def test_with_workers_a_starting_web_process_leaves_jobs_to_them(owner, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    job = _job(owner, status=JobStatus.RUNNING, started_ago=timedelta(seconds=5))

    assert services.import_jobs_resume_after_restart() == []

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
