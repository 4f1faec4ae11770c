"""The pinned, size- and time-capped HTTP(S) client behind `fetch`."""

import contextlib
import http.client
import socket
import ssl
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from nexus.core.outbound.addresses import DEFAULT_PORTS, DIGITS, ResolvedURL, check_url
from nexus.core.outbound.errors import (
    OutboundConnectionError,
    OutboundTimeoutError,
    ResponseTooLargeError,
    TooManyRedirectsError,
    UnsafeURLError,
)

READ_CHUNK_BYTES = 64 * 1024
USER_AGENT = "Nexus-Outbound/1"
DEFAULT_HEADERS = {"User-Agent": USER_AGENT}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Headers that must not follow a redirect to another origin.
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    headers: Mapping[str, str]  # lower-cased names; repeated headers joined with ", "
    content: bytes
    url: str  # the URL that produced this response, after any redirects followed


def fetch(
    url: str,
    *,
    max_bytes: int,
    method: str = "GET",
    timeout: tuple[float, float] = (5.0, 10.0),
    total_timeout: float = 30.0,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    follow_redirects: int = 0,
    read_body: bool = True,
) -> OutboundResponse:
    """One checked, pinned, size- and time-capped HTTP(S) request; 3xx answers come back as is
    unless follow_redirects allows that many hops, each checked like the first. With read_body
    off only the status and headers are read (the body of an answer may be large and unwanted)."""
    request_headers = dict(headers or {})
    if any(name.lower() == "host" for name in request_headers):
        raise ValueError("The Host header comes from the URL and cannot be set.")
    if follow_redirects < 0:
        raise ValueError("follow_redirects cannot be negative.")
    deadline = time.monotonic() + total_timeout
    previous: ResolvedURL | None = None
    redirects = 0
    while True:
        resolved = check_url(url)
        if previous is not None and not _same_origin(previous, resolved):
            request_headers = _without(request_headers, CREDENTIAL_HEADERS)
        response = _request(
            resolved,
            method=method,
            headers=request_headers,
            body=body,
            max_bytes=max_bytes,
            timeout=timeout,
            deadline=deadline,
            read_body=read_body,
            read_redirect_body=read_body and follow_redirects == 0,
        )
        location = response.headers.get("location")
        if response.status not in REDIRECT_STATUSES or not location or follow_redirects == 0:
            return response
        if redirects == follow_redirects:
            raise TooManyRedirectsError(f"{url} redirected more than {follow_redirects} times.")
        redirects += 1
        method, body = _redirected_method(response.status, method, body)
        if body is None:
            request_headers = _without(request_headers, {"content-type"})
        previous, url = resolved, _redirect_target(resolved.url, location)


def _redirect_target(current: str, location: str) -> str:
    """The URL a Location header points to; a malformed one is refused like any unsafe URL."""
    try:
        return urljoin(current, location)
    except ValueError as exc:  # urljoin parses brackets and ports strictly ("http://[::1/")
        raise UnsafeURLError(f"{current} redirected to an invalid URL: {exc}.") from exc


def _redirected_method(status: int, method: str, body: bytes | None) -> tuple[str, bytes | None]:
    """Browsers' rules: 303 (and 301/302 after a POST) continue as a GET without the body."""
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        return "GET", None
    return method, body


def _without(headers: dict[str, str], names: Collection[str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name.lower() not in names}


def _same_origin(first: ResolvedURL, second: ResolvedURL) -> bool:
    return (first.scheme, first.host, first.port) == (second.scheme, second.host, second.port)


def _request(
    resolved: ResolvedURL,
    *,
    method: str,
    headers: Mapping[str, str],
    body: bytes | None,
    max_bytes: int,
    timeout: tuple[float, float],
    deadline: float,
    read_body: bool,
    read_redirect_body: bool,
) -> OutboundResponse:
    connection = _PinnedConnection(resolved, timeout=timeout, deadline=deadline)
    # The per-read timeout alone lets a server drip one byte at a time forever; this watchdog
    # shuts the socket at the deadline, whatever the connection is waiting for.
    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), connection.abort)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(
            method,
            resolved.target,
            body=body,
            headers={
                **_without(DEFAULT_HEADERS, {name.lower() for name in headers}),
                **_without(dict(headers), {"connection"}),
                "Connection": "close",
            },
        )
        response = connection.getresponse()
        response_headers = _headers(response)
        redirect = response.status in REDIRECT_STATUSES
        skip_body = not (read_redirect_body if redirect else read_body)
        content = b""
        # A HEAD response declares the size of a body it does not send.
        if method != "HEAD" and not skip_body:
            content = _read_body(response, response_headers, max_bytes)
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        if connection.expired.is_set() or isinstance(exc, TimeoutError):
            raise OutboundTimeoutError(f"{resolved.url} did not answer in time.") from exc
        raise OutboundConnectionError(f"{resolved.url} could not be fetched: {exc}") from exc
    finally:
        watchdog.cancel()
        connection.close()
    if connection.expired.is_set():
        raise OutboundTimeoutError(f"{resolved.url} did not answer in time.")
    return OutboundResponse(
        status=response.status, headers=response_headers, content=content, url=resolved.url
    )


def _headers(response: http.client.HTTPResponse) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in response.getheaders():
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def _read_body(
    response: http.client.HTTPResponse, headers: Mapping[str, str], max_bytes: int
) -> bytes:
    declared = headers.get("content-length", "")
    if DIGITS.match(declared) and int(declared) > max_bytes:
        raise ResponseTooLargeError(f"The response is {declared} bytes; the limit is {max_bytes}.")
    chunks: list[bytes] = []
    received = 0
    while chunk := response.read(READ_CHUNK_BYTES):
        received += len(chunk)
        if received > max_bytes:
            raise ResponseTooLargeError(f"The response is larger than {max_bytes} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


class _PinnedConnection(http.client.HTTPConnection):
    """HTTP(S) to the checked addresses only, with the URL's host in Host and SNI."""

    def __init__(
        self, resolved: ResolvedURL, *, timeout: tuple[float, float], deadline: float
    ) -> None:
        super().__init__(resolved.host, resolved.port, timeout=timeout[0])
        # Host is left out of the Host header when the port is the scheme's default.
        self.default_port = DEFAULT_PORTS[resolved.scheme]
        self.resolved = resolved
        self.read_timeout = timeout[1]
        self.deadline = deadline
        self.expired = threading.Event()

    def connect(self) -> None:
        sock = self._connect_any()
        sock.settimeout(self._remaining(self.read_timeout))
        if self.resolved.scheme == "https":
            sock = _tls_context().wrap_socket(sock, server_hostname=self.host)
        self.sock = sock
        if self.expired.is_set():
            self.abort()

    def _connect_any(self) -> socket.socket:
        errors = []
        for address in self.resolved.addresses:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(self._remaining(self.timeout))
                sock.connect((address, self.port))
            except OSError as exc:
                sock.close()
                errors.append(exc)
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        if any(isinstance(error, TimeoutError) for error in errors):
            raise TimeoutError(f"connecting to {self.host} timed out")
        raise ConnectionError(f"connecting to {self.host} failed: {errors[-1]}")

    def _remaining(self, limit: float | None) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the total timeout has passed")
        return min(limit, remaining) if limit is not None else remaining

    def abort(self) -> None:
        """Unblock whatever is waiting on the socket, from the watchdog's thread."""
        self.expired.set()
        sock = self.sock  # read once: the requesting thread may close it meanwhile
        if sock is not None:
            # The plain socket's shutdown, also for TLS: SSLSocket.shutdown would tear down
            # the TLS state under the reading thread's feet.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
