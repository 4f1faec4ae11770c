import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_prometheus.exports import ExportToDjangoView

from nexus.core.errors import problem_response, wants_problem_json
from nexus.core.health import run_readiness_checks
from nexus.core.markdown import render_markdown


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Says which replica answered, for load-balancer checks."""
    return JsonResponse({"status": "ok", "replica": settings.NEXUS_REPLICA})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: every dependency is reported; 503 when any is down."""
    checks = run_readiness_checks()
    ready = all(result["ok"] for result in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for the scraper that sends NEXUS_METRICS_TOKEN as a bearer token.

    They name every view, its latency and its errors: not for the public. Without a token
    configured the app has no /metrics (404); a request without the right one gets a 401.
    """
    expected = settings.NEXUS_METRICS_TOKEN
    if not expected:
        raise Http404("Metrics are off: NEXUS_METRICS_TOKEN is not set.")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), expected.encode()):
        response = problem_response(401, detail="Send the metrics token as a bearer token.")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return ExportToDjangoView(request)


def _error_page(request: HttpRequest, status: int, template: str) -> HttpResponse:
    if wants_problem_json(request):
        return problem_response(status)
    return render(request, template, status=status)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, 404, "404.html")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, 403, "403.html")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, 400, "400.html")


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page(request, 500, "500.html")


@login_required
@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The editor's live preview of Markdown saved without wiki links (challenges, answers,
    journal entries, integration issues): rendered and sanitised exactly as saving does it.
    Articles preview through knowledge:preview, which resolves their wiki links."""
    html = render_markdown(request.POST.get("body", "")).html
    return render(request, "editor/preview.html", {"html": html})
