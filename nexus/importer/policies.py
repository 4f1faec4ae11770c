"""Who may import and see imports; the services call these and raise, pages show or hide."""

from nexus.accounts.models import Viewer
from nexus.accounts.policies import is_signed_in
from nexus.importer.models import ImportJob


def can_import(user: Viewer) -> bool:
    """Every signed-in user may import their own journals and docs."""
    return is_signed_in(user)


def can_view_job(user: Viewer, job: ImportJob) -> bool:
    return is_signed_in(user) and (user.pk == job.owner_id or user.is_admin)
