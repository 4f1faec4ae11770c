import io
import json
import re
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from nexus.core.errors import PROBLEM_CONTENT_TYPE, problem_body, problem_response
from nexus.core.request_context import request_id_var, request_var

# A caller may pass its own id (a load balancer's, a frontend's) so one request can be followed
# across systems; anything that does not look like an id is replaced rather than logged.
INCOMING_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if INCOMING_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # Kept until the request_finished signal, so Django's own error logging, which runs after
        # the middleware chain returns, still carries the id.
        request_id_var.set(request_id)
        request_var.set(request)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


MULTIPART_ENVELOPE_BYTES = 64 * 1024


def body_limit(content_type: str) -> int:
    """The most bytes a request body of this media type may have. A multipart body may carry a
    file of NEXUS_MAX_UPLOAD_BYTES and its envelope (boundaries, part headers, other fields), so
    a file just under the limit reaches the form, whose field error names the file's limit."""
    if content_type.split(";")[0].strip().lower() == "multipart/form-data":
        return settings.NEXUS_MAX_UPLOAD_BYTES + MULTIPART_ENVELOPE_BYTES
    return settings.NEXUS_MAX_JSON_BODY_BYTES


def body_too_large(length: int, limit: int) -> str:
    return f"The request body is {length} bytes; the limit is {limit} bytes."


class RequestBodyLimitMiddleware:
    """Refuses bodies over the configured size before anything reads them.

    Django's own DATA_UPLOAD_MAX_MEMORY_SIZE is only checked when request.body is read, and DRF
    streams the body past it, so the declared length is checked here for every request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return problem_response(400, detail="The Content-Length header is not a number.")
        limit = body_limit(request.content_type or "")
        if length > limit:
            return problem_response(413, detail=body_too_large(length, limit))
        return self.get_response(request)


class ChunkedBodyLimit:
    """WSGI middleware (nexus/wsgi.py): a body sent without Content-Length obeys the same limit.

    A chunked body declares no length, so RequestBodyLimitMiddleware had nothing to check, and
    nothing bounded how much of it a client could send. Here it is read up to one byte past the
    limit: more is a 413 (gunicorn's sync workers then close the connection, the rest unread);
    less is handed on with its Content-Length, so Django, which reads only what Content-Length
    declares and so ignored chunked bodies, sees it.
    """

    def __init__(self, application: Callable[..., Iterable[bytes]]) -> None:
        self.application = application

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        # Only a server that ends wsgi.input at the end of the body (gunicorn does) may be read
        # without a length: elsewhere the read would wait for the client to close.
        if not chunked or not environ.get("wsgi.input_terminated"):
            return self.application(environ, start_response)
        limit = body_limit(environ.get("CONTENT_TYPE", ""))
        body = environ["wsgi.input"].read(limit + 1)
        if len(body) > limit:
            detail = f"The chunked request body is over the limit of {limit} bytes."
            return _problem(start_response, 413, detail)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.application(environ, start_response)


def _problem(start_response: Callable[..., Any], status: int, detail: str) -> list[bytes]:
    content = json.dumps(problem_body(status, detail=detail)).encode()
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [
            ("Content-Type", PROBLEM_CONTENT_TYPE),
            ("Content-Length", str(len(content))),
        ],
    )
    return [content]


NUL_REFUSED = "Null characters are not allowed."


class RefuseNulInQueryMiddleware:
    """Refuses API query parameters holding a NUL character, as serializers refuse them in bodies.

    Views read query parameters raw (a slug to look up, a filter); PostgreSQL cannot hold NUL,
    so such a value reaching a query failed there with a 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and "\x00" in request.path:
            return problem_response(404)  # no resource is named with a NUL
        if request.path.startswith("/api/"):
            names = sorted(
                {
                    name
                    for name, values in request.GET.lists()
                    if "\x00" in name or any("\x00" in value for value in values)
                }
            )
            if names:
                return problem_response(
                    400,
                    detail="The request has invalid fields.",
                    code="invalid",
                    errors=[
                        {
                            "field": name,
                            "code": "null_characters_not_allowed",
                            "message": NUL_REFUSED,
                        }
                        for name in names
                    ],
                )
        return self.get_response(request)


class PrivateByDefaultMiddleware:
    """Responses that no view declared shareable say `Cache-Control: private, no-cache`, so no
    shared cache keeps one visitor's page for another and browsers revalidate (ETag, 304).
    Views that can be shared declare it (nexus.core.pagecache.public_cache)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-cache"
        return response
