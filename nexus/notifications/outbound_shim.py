"""TEMPORARY stand-in for nexus/core/outbound.py until it lands on main; replace, do not extend.

It mirrors that module's interface (check_url, fetch, OutboundError, UnsafeURLError), so the swap
is one import in channels/webhook.py and services.py. Only what webhooks need: refuse non-public
targets (re-checked on every call, after DNS), connect to the checked address, no redirects
followed, connect/read timeouts and a response-size cap.
"""

import http.client
import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class OutboundError(Exception):
    """An outbound request failed."""


class UnsafeURLError(OutboundError, ValueError):
    """The URL is not http(s) or points at a private, loopback, link-local or metadata address."""


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    content: bytes


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if address.is_loopback and getattr(settings, "NEXUS_OUTBOUND_ALLOW_LOOPBACK", False):
        return True
    return address.is_global and not address.is_multicast


def check_url(url: str) -> tuple[str, int]:
    """The (ip, port) a URL connects to, or UnsafeURLError."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UnsafeURLError("Only http and https URLs with a host are allowed.")
    if "@" in parts.netloc:
        raise UnsafeURLError("URLs with a user name or password are not allowed.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as exc:
        raise UnsafeURLError("The host could not be resolved.") from exc
    addresses = {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos}
    if not addresses or not all(_allowed(address) for address in addresses):
        raise UnsafeURLError("The URL points at a private or reserved address.")
    return str(sorted(addresses, key=str)[0]), port


def fetch(
    url: str,
    *,
    max_bytes: int,
    method: str = "GET",
    timeout: tuple[float, float] = (5.0, 10.0),
    total_timeout: float = 30.0,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
) -> OutboundResponse:
    """One request to a checked address; redirects come back as their 3xx status."""
    ip, port = check_url(url)
    parts = urlsplit(url)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname or ip, port, timeout=timeout[0])
    else:
        connection = http.client.HTTPConnection(ip, port, timeout=timeout[0])
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            method, target, body=body, headers={"Host": parts.netloc, **(headers or {})}
        )
        if connection.sock is not None:
            connection.sock.settimeout(timeout[1])
        response = connection.getresponse()
        return OutboundResponse(response.status, response.read(max_bytes + 1)[:max_bytes])
    except OSError as exc:
        raise OutboundError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        connection.close()
