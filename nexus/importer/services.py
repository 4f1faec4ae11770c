"""Import jobs: create one from an upload or a repository URL, run it (in a Celery task)."""

import logging
import time
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F, Q

from nexus.accounts.models import User
from nexus.core import clock, events, taskqueue
from nexus.importer import policies, sources
from nexus.importer.models import ImportJob, JobStatus, SourceKind
from nexus.importer.pipeline import ImportProgress, Progress, run_import
from nexus.importer.sources import Source, SourceError

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 0.5
# Celery kills a run at this limit, so a job "running" for longer than it has no live run.
RUN_TIME_LIMIT_SECONDS = 660
RUN_LOST_AFTER = timedelta(seconds=RUN_TIME_LIMIT_SECONDS + 60)
# A job whose runs keep dying (a file that exhausts the worker) is not begun forever.
MAX_ATTEMPTS = 3
TOOK_TOO_LONG = (
    f"The import took longer than {RUN_TIME_LIMIT_SECONDS // 60 - 1} minutes and was stopped; "
    "what it wrote is kept. Start it again to import the rest."
)
UNEXPECTED_ERROR = (
    "The import stopped on an unexpected error on our side; what it wrote is kept. "
    "Try again later, or tell an administrator if it happens again."
)
GAVE_UP = (
    "The import stopped {attempts} times before it finished (its worker or the server stopped) "
    "and is not tried again. What it wrote is kept; start it again to finish it."
)


def import_job_create(
    *,
    owner: User,
    upload_name: str = "",
    upload_data: bytes | None = None,
    url: str = "",
    dry_run: bool = False,
) -> ImportJob:
    """Queue an import of an uploaded .md/.zip or of a public https git repository."""
    if not policies.can_import(owner):
        raise PermissionDenied("This account may not import.")
    url = url.strip()
    if bool(upload_data is not None) == bool(url):
        message = "Upload a file or give a repository URL (one of them)."
        raise ValidationError({"file": [message], "url": [message]})
    if upload_data is not None:
        if len(upload_data) > settings.NEXUS_MAX_UPLOAD_BYTES:
            limit = settings.NEXUS_MAX_UPLOAD_BYTES // (1024 * 1024)
            raise ValidationError({"file": [f"The file is larger than {limit} MiB."]})
        name = upload_name.rsplit("/", 1)[-1][:200] or "upload.md"
        if name.lower().endswith(".zip"):
            kind = SourceKind.ZIP
            _check_archive(upload_data)
        elif sources.is_markdown(name):
            kind = SourceKind.FILE
        else:
            raise ValidationError({"file": ["Upload a Markdown file (.md) or a .zip archive."]})
        fields: dict[str, object] = {"source_kind": kind, "source": name, "upload": upload_data}
    else:
        if len(url) > 500:
            raise ValidationError({"url": ["Keep the URL within 500 characters."]})
        try:
            sources.check_git_url(url, allow_local=False)
        except SourceError as exc:
            raise ValidationError({"url": [str(exc)]}) from exc
        fields = {"source_kind": SourceKind.GIT, "source": url}
    with transaction.atomic():
        job = ImportJob.objects.create(owner=owner, dry_run=dry_run, **fields)
        events.publish(
            "import.queued",
            subject=job,
            actor=owner,
            payload={"job_id": job.pk, "source": job.source, "kind": job.source_kind},
        )
        taskqueue.enqueue_on_commit("nexus.importer.tasks.run_import_job", job.pk)
    return job


def _check_archive(data: bytes) -> None:
    """Refuse an archive the job would refuse now, from its directory alone (it is cheap)."""
    try:
        sources.check_zip(data)
    except SourceError as exc:
        raise ValidationError({"file": [str(exc)]}) from exc


def _open(job: ImportJob) -> tuple[Source | None, AbstractContextManager[Source] | None]:
    key = f"upload:{job.source}"
    if job.source_kind == SourceKind.GIT:
        context = sources.cloned(job.source, allow_local=False)
        return None, context
    return sources.from_bytes(name=job.source, data=bytes(job.upload or b""), key=key), None


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued job, recording progress as it goes; a job that already ran is left alone."""
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=clock.now(), attempts=F("attempts") + 1
    )
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job
    progress = JobProgressRecorder(job.pk)
    try:
        source, clone = _open(job)
        if clone is not None:
            with clone as cloned_source:
                report = _run(job, cloned_source, progress)
        else:
            assert source is not None
            report = _run(job, source, progress)
    except SourceError as exc:
        return _finish(job, status=JobStatus.FAILED, error=str(exc))
    except SoftTimeLimitExceeded:
        return _finish(job, status=JobStatus.FAILED, error=TOOK_TOO_LONG)
    except Exception:  # a defect of ours: the job says so instead of "running" for ever
        logger.exception("Import job %s stopped on an unexpected error", job.pk)
        return _finish(job, status=JobStatus.FAILED, error=UNEXPECTED_ERROR)
    return _finish(job, status=JobStatus.SUCCEEDED, report=report)


def import_jobs_resume_interrupted(*, started_before: datetime) -> list[int]:
    """Queue again every job left queued or running, since before the cutoff, by a process that
    stopped (a worker lost mid-run, the embedded server restarted, a message the broker lost).
    Imports are idempotent, so a run begun again skips what the stopped one wrote and finishes
    the rest. A job begun MAX_ATTEMPTS times fails instead. Returns the ids queued again."""
    with transaction.atomic():
        stale = list(
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=JobStatus.QUEUED, created_at__lt=started_before)
                | Q(status=JobStatus.RUNNING, started_at__lt=started_before)
            )
            .only("pk", "attempts")
        )
        exhausted = [job.pk for job in stale if job.attempts >= MAX_ATTEMPTS]
        again = [job.pk for job in stale if job.attempts < MAX_ATTEMPTS]
        if exhausted:
            ImportJob.objects.filter(pk__in=exhausted).update(
                status=JobStatus.FAILED,
                error=GAVE_UP.format(attempts=MAX_ATTEMPTS),
                finished_at=clock.now(),
            )
        ImportJob.objects.filter(pk__in=again).update(status=JobStatus.QUEUED, current_path="")
        for job_id in again:
            taskqueue.enqueue_on_commit("nexus.importer.tasks.run_import_job", job_id)
    if stale:
        logger.warning("Import jobs resumed %s, given up %s", again, exhausted)
    return again


def import_jobs_resume_after_restart() -> list[int]:
    """Where imports run on the web process's own thread (embedded mode), every job still queued
    or running was left by a process that stopped: begin them again as this one starts."""
    if not taskqueue.long_tasks_run_in_process():
        return []
    try:
        return import_jobs_resume_interrupted(started_before=clock.now())
    except DatabaseError:  # not migrated yet: there is nothing to resume, and serving comes first
        logger.warning("Interrupted imports not checked: the database is not ready", exc_info=True)
        return []


class JobProgressRecorder:
    """Saves a job's progress at most every PROGRESS_EVERY_SECONDS, and always when the item
    count becomes known or the last file is written: the job page reads it from the database."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.saved_at: float | None = None
        self.items_total = 0

    def __call__(self, update: ImportProgress) -> None:
        now = time.monotonic()
        due = self.saved_at is None or now - self.saved_at >= PROGRESS_EVERY_SECONDS
        news = update.items_total != self.items_total or update.files_done == update.files_total
        if not (due or news):
            return
        self.saved_at, self.items_total = now, update.items_total
        ImportJob.objects.filter(pk=self.job_id).update(
            files_done=update.files_done,
            files_total=update.files_total,
            items_done=update.items_done,
            items_total=update.items_total,
            current_path=update.path[:500],
        )


def _run(job: ImportJob, source: Source, progress: Progress) -> dict[str, object]:
    ImportJob.objects.filter(pk=job.pk).update(files_total=len(source.files))
    return run_import(owner=job.owner, source=source, dry_run=job.dry_run, progress=progress)


def _finish(
    job: ImportJob, *, status: str, report: dict[str, object] | None = None, error: str = ""
) -> ImportJob:
    with transaction.atomic():
        job.refresh_from_db()
        job.status = status
        job.report = report or {}
        job.error = error[:2000]
        job.finished_at = clock.now()
        job.upload = None
        job.save(update_fields=["status", "report", "error", "finished_at", "upload", "updated_at"])
        events.publish(
            "import.finished",
            subject=job,
            actor=job.owner,
            payload={"job_id": job.pk, "status": status, "totals": job.report.get("totals", {})},
        )
    return job
