from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page(
    request: HttpRequest, page_template: str, partial_template: str, context: dict[str, Any]
) -> HttpResponse:
    """The whole page for a normal request, just its partial for an htmx one."""
    is_htmx = bool(getattr(request, "htmx", False))
    return render(request, partial_template if is_htmx else page_template, context)
