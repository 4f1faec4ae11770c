"""Reading import jobs: a user sees their own; admins see everybody's."""

from django.db.models import QuerySet

from nexus.accounts.models import User
from nexus.importer.models import ImportJob, JobStatus


def import_jobs_visible_to(user: User) -> QuerySet[ImportJob]:
    """The jobs `user` may see, without their upload bytes, owner joined."""
    jobs = ImportJob.objects.select_related("owner").defer("upload")
    if user.is_admin:
        return jobs
    return jobs.filter(owner=user)


def has_imported(*, owner: User) -> bool:
    """Whether one of this user's imports ran to the end for real (not a dry run)."""
    return ImportJob.objects.filter(owner=owner, status=JobStatus.SUCCEEDED, dry_run=False).exists()
