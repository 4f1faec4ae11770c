"""Background jobs of the collaboration hub."""

from celery import shared_task

from nexus.collab.models import SpecImport
from nexus.collab.services.imports import spec_import_run


@shared_task(acks_late=True)
def import_spec_from_url(import_id: int) -> str:
    """Fetch and store a spec given by URL; running twice does nothing more."""
    spec_import = (
        SpecImport.objects.select_related("api", "requested_by").filter(pk=import_id).first()
    )
    if spec_import is None:
        return "missing"
    return spec_import_run(spec_import=spec_import).status
