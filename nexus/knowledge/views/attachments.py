"""The editor's uploads (JSON for editor.js) and the one place attachments are served from."""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from nexus.core.auth import authenticated_user
from nexus.core.errors import flatten_field_errors, problem_response
from nexus.knowledge import selectors, services
from nexus.knowledge.models import Attachment
from nexus.knowledge.policies import can_upload_attachment

# Whatever a stored file turns out to be, a browser opening it runs nothing and frames nothing.
ATTACHMENT_POLICY = "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'"
# The key names the bytes for good: a new upload gets a new key.
ATTACHMENT_CACHE = "public, max-age=31536000, immutable"


@require_POST
def attachment_upload(request: HttpRequest) -> HttpResponse:
    """Store one file (field `file`) and answer with its URL and the Markdown that shows it."""
    if not can_upload_attachment(request.user):
        return problem_response(403, detail="Sign in to attach files.")
    upload = request.FILES.get("file")
    if upload is None:
        return _invalid({"file": ["Choose a file to attach."]})
    try:
        attachment = services.attachment_create(owner=authenticated_user(request), upload=upload)
    except ValidationError as error:
        return _invalid(error.message_dict)
    except PermissionDenied as error:
        return problem_response(403, detail=str(error))
    return JsonResponse(_described(attachment), status=201)


@require_safe
def attachment_serve(request: HttpRequest, key: uuid.UUID, name: str) -> HttpResponseBase:
    """The stored bytes under their sniffed type: images inline, everything else as a download."""
    attachment = selectors.attachment_get(key=key)
    if attachment is None:
        raise Http404("No such attachment.")
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Length"] = str(attachment.size)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=not attachment.is_image, filename=attachment.name)
        or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = ATTACHMENT_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = ATTACHMENT_CACHE
    return response


def _described(attachment: Attachment) -> dict[str, object]:
    url = attachment.get_absolute_url()
    bang = "!" if attachment.is_image else ""
    return {
        "url": url,
        "name": attachment.name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "markdown": f"{bang}[{attachment.name}]({url})",
    }


def _invalid(errors: dict[str, list[str]]) -> JsonResponse:
    field_errors = flatten_field_errors(errors)
    return problem_response(
        400, detail=field_errors[0]["message"], code="invalid", errors=field_errors
    )
