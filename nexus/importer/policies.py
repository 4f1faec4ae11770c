"""Who may import and see imports."""

from typing import Any

from nexus.importer.models import ImportJob


def can_import(user: Any) -> bool:
    """Every signed-in user may import their own journals and docs."""
    return bool(user.is_authenticated)


def can_view_job(user: Any, job: ImportJob) -> bool:
    return bool(user.is_authenticated and (user.pk == job.owner_id or user.is_admin))
