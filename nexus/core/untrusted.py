"""User-supplied content that is not sanitised Markdown (API mocks), served so it can never run.

Whatever media type such content claims (text/html, image/svg+xml, text/xml...), a browser must
not run it as script on the app's origin, where it could act as the signed-in person. So it goes
out under a sandboxing Content-Security-Policy (an opaque origin: no script, no plugins, no forms;
nothing may frame it), with nosniff, and, unless it is JSON, as an attachment, which a browser
saves instead of rendering. The requests are anonymous: the caller's cookies and Authorization
never reach the session, CSRF or authentication middleware nor the view, and no cookie is set.

NEXUS_UNTRUSTED_PATHS lists the path prefixes served this way. With NEXUS_MOCK_ORIGIN set they
are served only on that separate origin (the app's origin redirects there), and that origin
serves nothing else.
"""

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils.csp import CSP

from nexus.core.errors import problem_response

SANDBOX_POLICY = "sandbox; default-src 'none'; frame-ancestors 'none'"
CREDENTIAL_HEADERS = ("HTTP_COOKIE", "HTTP_AUTHORIZATION")
FALLBACK_MEDIA_TYPE = "application/octet-stream"
# RFC 9110's media-type: type "/" subtype *( OWS ";" OWS parameter ), parameters as token=token or
# token=quoted-string. Anything else (a newline, a bare word) would break or forge headers.
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\[^\x00-\x08\x0a-\x1f\x7f])*"'
MEDIA_TYPE = re.compile(rf"{_TOKEN}/{_TOKEN}(?:[ \t]*;[ \t]*{_TOKEN}=(?:{_TOKEN}|{_QUOTED}))*")


def media_type(declared: str) -> str:
    """The declared media type if it is well-formed, else application/octet-stream."""
    declared = declared.strip()
    return declared if MEDIA_TYPE.fullmatch(declared) else FALLBACK_MEDIA_TYPE


def is_json(media: str) -> bool:
    """A JSON media type as browsers judge it: application/json, text/json or any `+json`."""
    essence = media.split(";", 1)[0].strip().lower()
    return essence in {"application/json", "text/json"} or (
        "/" in essence and essence.endswith("+json")
    )


def make_inert(response: HttpResponse) -> HttpResponse:
    """Headers that stop a browser from running, framing or sniffing the response; no cookies."""
    # The site-wide SECURE_CSP never replaces it: Django's CSP middleware leaves a policy already
    # set alone, and a CSP middleware inside this one runs first (tests check both placements).
    # A plain str: WSGI servers refuse the StrEnum itself as a header name.
    response[str(CSP.HEADER_ENFORCE)] = SANDBOX_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    if not is_json(response.get("Content-Type", "")):
        response["Content-Disposition"] = "attachment"
    # A mock is public: any origin may read it, but never with the caller's credentials.
    del response["Access-Control-Allow-Credentials"]
    response.cookies.clear()
    return response


def is_untrusted_path(path: str) -> bool:
    return path.startswith(tuple(settings.NEXUS_UNTRUSTED_PATHS))


def mock_host() -> str:
    """The host of NEXUS_MOCK_ORIGIN, or "" when mocks share the app's origin."""
    return (urlsplit(settings.NEXUS_MOCK_ORIGIN).hostname or "").lower()


class UntrustedContentMiddleware:
    """Serves NEXUS_UNTRUSTED_PATHS anonymous and inert, errors and redirects included.

    It must come before the session, CSRF and authentication middleware (and anything that reads
    request headers), so that none of them ever sees the caller's credentials.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        untrusted = is_untrusted_path(request.path_info)
        separate_host = mock_host()
        on_mock_host = bool(separate_host) and request.get_host().split(":")[0] == separate_host
        if not untrusted:
            if on_mock_host:
                # The mock origin serves mocks only: no page, form or cookie of the app lives there.
                return make_inert(problem_response(404, detail="Only API mocks are served here."))
            return self.get_response(request)
        for name in CREDENTIAL_HEADERS:
            request.META.pop(name, None)
        # Both are parsed from META once and cached; drop copies made before the headers went.
        for cached in ("headers", "COOKIES"):
            request.__dict__.pop(cached, None)
        if separate_host and not on_mock_host:
            origin = settings.NEXUS_MOCK_ORIGIN.rstrip("/")
            # 308 keeps the method and body, so a mock URL saved before the move still works.
            moved = HttpResponsePermanentRedirect(
                origin + request.get_full_path(), preserve_request=True
            )
            return make_inert(moved)
        return make_inert(self.get_response(request))
