"""TEMPORARY stand-in for nexus/core/outbound.py until it lands on main; replace, do not extend.

Only what webhooks need: refuse non-public targets (re-checked on every call, after DNS), POST
without following redirects, with timeouts and a response-size cap.
"""

import http.client
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeURLError(ValueError):
    """The URL is not http(s) or points at a private, loopback, link-local or metadata address."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if address.is_loopback and getattr(settings, "NEXUS_OUTBOUND_ALLOW_LOOPBACK", False):
        return True
    return address.is_global and not address.is_multicast


def check_url(url: str) -> tuple[str, int]:
    """The (ip, port) a URL connects to, or UnsafeURLError."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UnsafeURLError("Only http and https URLs with a host are allowed.")
    if parts.username or parts.password:
        raise UnsafeURLError("URLs may not carry credentials.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as exc:
        raise UnsafeURLError("The host does not resolve.") from exc
    addresses = {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos}
    if not addresses or not all(_allowed(address) for address in addresses):
        raise UnsafeURLError("The URL points at a private or reserved address.")
    return str(sorted(addresses, key=str)[0]), port


def post(
    url: str, *, body: bytes, headers: dict[str, str], timeout: float, max_bytes: int
) -> Response:
    """POST to a checked URL; redirects come back as their 3xx status, never followed."""
    ip, port = check_url(url)
    parts = urlsplit(url)
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname or ip, port, timeout=timeout)
    else:
        connection = http.client.HTTPConnection(ip, port, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body, headers={"Host": parts.netloc, **headers})
        response = connection.getresponse()
        return Response(status=response.status, body=response.read(max_bytes + 1)[:max_bytes])
    finally:
        connection.close()
