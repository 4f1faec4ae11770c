from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware import csp
from django.utils.csp import CSP

# Other origins a form on our pages may lead to: a payment form answers with a redirect to the
# payment provider's checkout, and browsers hold the redirect to the form page's form-action.
# Features register a function naming them (it reads settings at response time).
_form_targets: list[Callable[[], list[str]]] = []


def register_form_targets(origins: Callable[[], list[str]]) -> None:
    """Let forms on our pages lead to these origins too (call from an AppConfig.ready)."""
    if origins not in _form_targets:
        _form_targets.append(origins)


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    """Django's CSP middleware (SECURE_CSP, a fresh nonce per response, a view's own header
    left alone), plus the Reporting-Endpoints header that names where report-to sends reports,
    and inline styles for DRF's browsable API, whose templates style elements inline."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if _is_browsable_api(response):
            allow_inline_styles(response)
        _allow_form_targets(response)
        response = super().process_response(request, response)
        group = settings.NEXUS_CSP_REPORT_GROUP
        if "Reporting-Endpoints" not in response and any(
            f"report-to {group}" in response.get(header, "")
            for header in (CSP.HEADER_ENFORCE, CSP.HEADER_REPORT_ONLY)
        ):
            endpoint = request.build_absolute_uri(settings.NEXUS_CSP_REPORT_PATH)
            response["Reporting-Endpoints"] = f'{group}="{endpoint}"'
        return response


def allow_inline_styles(response: HttpResponse) -> None:
    """Loosen this response's policy for third-party tools that inject <style> elements and
    start workers from blobs: scripts stay as strict as the site's policy has them."""
    for attribute, policy in [
        ("_csp_config", settings.SECURE_CSP),
        ("_csp_ro_config", settings.SECURE_CSP_REPORT_ONLY),
    ]:
        if policy and not hasattr(response, attribute):
            loosened = {
                **policy,
                "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
                "style-src-attr": [CSP.UNSAFE_INLINE],
                "worker-src": [CSP.SELF, "blob:"],
            }
            setattr(response, attribute, loosened)


def inline_styles_allowed(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view decorator: its responses get allow_inline_styles()."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        allow_inline_styles(response)
        return response

    return wrapped


def _allow_form_targets(response: HttpResponse) -> None:
    origins = [origin for targets in _form_targets for origin in targets()]
    if not origins:
        return
    for attribute, site_policy in [
        ("_csp_config", settings.SECURE_CSP),
        ("_csp_ro_config", settings.SECURE_CSP_REPORT_ONLY),
    ]:
        policy = getattr(response, attribute, site_policy)
        if policy and "form-action" in policy:
            widened = [*policy["form-action"], *origins]
            setattr(response, attribute, {**policy, "form-action": widened})


def _is_browsable_api(response: HttpResponse) -> bool:
    renderer = getattr(response, "accepted_renderer", None)
    return getattr(renderer, "format", None) == "api"
