"""Who is on the other end of a request: the one place that decides a client's address.

Behind N reverse proxies (settings.NEXUS_TRUSTED_PROXIES), the address the outermost proxy saw is
the N-th entry of X-Forwarded-For counted from the right: each proxy writes the address it was
reached from, so everything left of that entry was written by the client and proves nothing.
With no trusted proxy (the default, and development), the header is ignored altogether.

ClientAddressMiddleware resolves it once, first of all, into REMOTE_ADDR and drops the header,
so everything after it - DRF's throttles, the login limiter, logs - reads one honest address
and nothing can go back to trusting what a client wrote.
"""

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from rest_framework.request import Request

from nexus.core.request_context import client_address_var

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def client_address(request: HttpRequest | Request) -> str:
    """The client's address: the peer's, or the one the trusted proxies recorded."""
    meta = request.META
    peer = meta.get("REMOTE_ADDR", "")
    trusted = settings.NEXUS_TRUSTED_PROXIES
    forwarded = meta.get(FORWARDED_FOR, "")
    if trusted == 0 or not forwarded:
        return peer
    hops = [hop.strip() for hop in forwarded.split(",")]
    # Fewer hops than proxies: the request came in past some of them, and the leftmost hop is
    # still one a trusted proxy wrote.
    recorded = hops[-min(trusted, len(hops))]
    try:
        return str(ipaddress.ip_address(recorded))
    except ValueError:
        # A proxy that records garbage is misconfigured; its own address is the honest answer.
        return peer


class ClientAddressMiddleware:
    """Puts the client's address in REMOTE_ADDR and removes X-Forwarded-For, before anything."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = client_address(request)
        request.META["REMOTE_ADDR"] = address
        request.META.pop(FORWARDED_FOR, None)
        client_address_var.set(address)
        return self.get_response(request)
