"""Mock endpoints: /mock/{api}/{version}/{path} answers from a stored spec's examples."""

import json
from urllib.parse import urlparse

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from nexus.collab import selectors
from nexus.collab.models import Api
from nexus.collab.openapi.examples import media_example
from nexus.collab.openapi.requests import Candidate, match_path, validate_request
from nexus.core import untrusted
from nexus.core.errors import PROBLEM_CONTENT_TYPE, problem_body


def _problem(status: int, detail: str, **kwargs: object) -> JsonResponse:
    return JsonResponse(
        problem_body(status, detail=detail, **kwargs),  # type: ignore[arg-type]
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )


@csrf_exempt
def mock_endpoint(request: HttpRequest, slug: str, version: str, path: str = "") -> HttpResponse:
    """Answer like the API would; any origin may call it (it sees no credentials, changes nothing).

    nexus.core.untrusted's middleware strips the caller's cookies and Authorization before this
    runs and makes every answer inert, whatever media type the spec gives it.
    """
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"
        response["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Content-Type"
        )[:500]
        response["Access-Control-Max-Age"] = "600"
    else:
        response = _answer(request, slug, version, path)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _answer(request: HttpRequest, slug: str, version: str, path: str) -> HttpResponse:
    """Check the request against the spec, then answer with the operation's example."""
    api = Api.objects.filter(slug=slug).first()
    spec_version = selectors.version_get(api=api, number=version) if api else None
    if api is None or spec_version is None:
        return _problem(404, "No such API or version in the catalog.")
    request_path = "/" + path
    operations = list(selectors.operation_list(version=spec_version))
    candidates = [Candidate(op.method, op.path, op.detail, op) for op in operations]
    matched, values = match_path(candidates, request_path)
    if not matched:
        for server in spec_version.document.get("servers") or []:
            prefix = urlparse(str(server.get("url", ""))).path.rstrip("/")
            if prefix and request_path.startswith(prefix + "/"):
                matched, values = match_path(candidates, request_path[len(prefix) :])
                if matched:
                    break
    if not matched:
        return _problem(404, f"The spec has no path matching {request_path}.")
    chosen = next((c for c in matched if c.method == request.method), None)
    if chosen is None:
        allowed = sorted({c.method for c in matched})
        response = _problem(405, f"{request.method} is not an operation on this path.")
        response["Allow"] = ", ".join(allowed)
        return response
    errors = validate_request(
        chosen.detail,
        path_values=values[id(chosen)],
        query={key: request.GET.getlist(key) for key in request.GET},
        headers=dict(request.headers),
        content_type=request.content_type or "",
        body=request.body,
        oas31=spec_version.openapi_version.startswith("3.1"),
    )
    if errors:
        return _problem(
            400, "The request does not match the spec.", code="mock_validation", errors=errors
        )
    return _example_response(chosen.detail.get("responses") or {}, request)


def _example_response(responses: dict[str, object], request: HttpRequest) -> HttpResponse:
    wanted = _preferred_status(request)
    statuses = [s for s in responses if s.isdigit()]
    status = (
        wanted
        if wanted in statuses
        else next(
            (s for s in sorted(statuses) if s.startswith("2")), statuses[0] if statuses else "200"
        )
    )
    response = responses.get(status) or responses.get("default") or {}
    content = (response.get("content") if isinstance(response, dict) else None) or {}
    if not content:
        answer = HttpResponse(status=int(status))
    else:
        media = next((m for m in content if untrusted.is_json(m)), next(iter(content)))
        example = media_example(content[media], seed=_preference(request, "seed"))
        if untrusted.is_json(media):
            body = json.dumps(example, ensure_ascii=False)
        else:
            body = "" if example is None else str(example)
        # The middleware makes it inert (sandbox, nosniff, attachment unless JSON).
        answer = HttpResponse(body, status=int(status), content_type=untrusted.media_type(media))
    answer["X-Nexus-Mock"] = "true"
    return answer


def _preferred_status(request: HttpRequest) -> str:
    """The status asked for with `Prefer: code=404` (among other preferences), or ""."""
    return _preference(request, "code")


def _preference(request: HttpRequest, wanted: str) -> str:
    """One `Prefer` preference's value (`code=404`, `seed=7` for other generated data), or ""."""
    for preference in request.headers.get("Prefer", "").split(","):
        name, _, value = preference.partition("=")
        if name.strip().lower() == wanted:
            return value.strip().strip('"')[:100]
    return ""


def mock_base_url(slug: str, version: str | int) -> str:
    """Where a version's mock answers: on NEXUS_MOCK_ORIGIN when set, else on this origin."""
    path = reverse("mock", kwargs={"slug": slug, "version": str(version), "path": ""})
    return settings.NEXUS_MOCK_ORIGIN + path
