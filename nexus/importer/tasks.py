from celery import shared_task

from nexus.celery import LongRunningTask
from nexus.importer import services


@shared_task(base=LongRunningTask, acks_late=True, soft_time_limit=600, time_limit=660)
def run_import_job(job_id: int) -> str:
    """Run one import job; running it again after it finished does nothing."""
    return services.import_job_run(job_id=job_id).status
