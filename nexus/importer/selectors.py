"""Reading import jobs: a user sees their own; admins see everybody's."""

from typing import Any

from django.db.models import QuerySet

from nexus.importer.models import ImportJob


def import_jobs_visible_to(user: Any) -> QuerySet[ImportJob]:
    """The jobs `user` may see, without their upload bytes, owner joined."""
    jobs = ImportJob.objects.select_related("owner").defer("upload")
    if getattr(user, "is_admin", False):
        return jobs
    return jobs.filter(owner=user)
