import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from nexus.core.errors import problem_response
from nexus.core.request_context import request_id_var

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
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


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
        is_upload = request.content_type == "multipart/form-data"
        limit = settings.NEXUS_MAX_UPLOAD_BYTES if is_upload else settings.NEXUS_MAX_JSON_BODY_BYTES
        if length > limit:
            return problem_response(
                413, detail=f"The request body is {length} bytes; the limit is {limit} bytes."
            )
        return self.get_response(request)


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
