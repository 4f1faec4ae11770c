"""Specs fetched from a URL: checked now, fetched by a background task through core.outbound."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from nexus.accounts.models import User
from nexus.collab import policies
from nexus.collab.models import Api, ImportStatus, SpecImport, SpecSource
from nexus.collab.openapi.loader import MAX_SPEC_BYTES
from nexus.collab.services.catalog import SpecRejectedError, spec_version_store
from nexus.core import outbound, taskqueue

FETCH_TIMEOUT = (5.0, 10.0)
FETCH_TOTAL_SECONDS = 30.0
FETCH_REDIRECTS = 3


def spec_import_request(*, api: Api, url: str, actor: User) -> SpecImport:
    """Record a URL import and fetch it in the background; unsafe URLs are refused at once."""
    if not policies.can_maintain_api(actor, api):
        raise PermissionDenied("Only the API's maintainers add versions.")
    try:
        outbound.check_url(url)
    except outbound.UnsafeURLError as exc:
        raise ValidationError({"url": [str(exc)]}) from exc
    with transaction.atomic():
        spec_import = SpecImport.objects.create(api=api, url=url, requested_by=actor)
        taskqueue.enqueue_on_commit("nexus.collab.tasks.import_spec_from_url", spec_import.pk)
    return spec_import


def spec_import_run(*, spec_import: SpecImport) -> SpecImport:
    """Fetch the URL (size and time capped, every redirect re-checked) and store the version."""
    if spec_import.status != ImportStatus.PENDING:
        return spec_import
    try:
        response = outbound.fetch(
            spec_import.url,
            max_bytes=MAX_SPEC_BYTES,
            timeout=FETCH_TIMEOUT,
            total_timeout=FETCH_TOTAL_SECONDS,
            follow_redirects=FETCH_REDIRECTS,
            headers={"Accept": "application/yaml, application/json, text/plain"},
        )
        if response.status != 200:
            raise outbound.OutboundError(f"The server answered {response.status}, not 200.")
        version, _ = spec_version_store(
            api=spec_import.api,
            raw=response.content,
            source=SpecSource.URL,
            actor=spec_import.requested_by,
            source_url=spec_import.url,
        )
    except outbound.OutboundError as exc:
        return _finish(spec_import, ImportStatus.FAILED, problems=[{"message": str(exc)}])
    except SpecRejectedError as exc:
        problems = [problem.as_dict() for problem in exc.problems]
        return _finish(spec_import, ImportStatus.FAILED, problems=problems)
    return _finish(spec_import, ImportStatus.DONE, version=version)


def _finish(spec_import: SpecImport, status: str, **fields: object) -> SpecImport:
    spec_import.status = status
    for name, value in fields.items():
        setattr(spec_import, name, value)
    spec_import.save()
    return spec_import
