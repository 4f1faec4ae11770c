from celery import shared_task

from nexus.celery import LongRunningTask
from nexus.core import clock
from nexus.importer import services


@shared_task(
    base=LongRunningTask,
    acks_late=True,
    soft_time_limit=services.RUN_TIME_LIMIT_SECONDS - 60,
    time_limit=services.RUN_TIME_LIMIT_SECONDS,
)
def run_import_job(job_id: int) -> str:
    """Run one import job; running it again after it finished does nothing."""
    return services.import_job_run(job_id=job_id).status


@shared_task
def resume_interrupted_imports() -> int:
    """Queue again the jobs whose run can no longer be alive (beat, every few minutes)."""
    cutoff = clock.now() - services.RUN_LOST_AFTER
    return len(services.import_jobs_resume_interrupted(started_before=cutoff))
