"""The one client for HTTP requests to user-given URLs (spec imports, webhooks, git checks).

`check_url` parses a URL the way this client will use it, resolves the host and refuses anything
that reaches inside: loopback, private, link-local, metadata, reserved and multicast addresses in
any spelling. `fetch` then connects to exactly the addresses it checked (so DNS rebinding between
check and connect cannot redirect it), caps the body size and the total time, and re-checks every
redirect it is allowed to follow.

URLs with a user name or password are refused: credentials in a URL end up in logs, stored
settings and UI, and "user@host" is the classic way to make a URL look like it goes elsewhere.
Secrets travel in headers (webhook signatures, tokens) instead.
"""

import contextlib
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(cidrs: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr) for cidr in cidrs.split())


DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_LENGTH = 2048
READ_CHUNK_BYTES = 64 * 1024
USER_AGENT = "Nexus-Outbound/1"
DEFAULT_HEADERS = {"User-Agent": USER_AGENT}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Headers that must not follow a redirect to another origin.
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})

# Names that only ever mean "this machine" or "this network"; single-label names (intranet,
# metadata, instance-data) are refused separately because search domains make them internal.
INTERNAL_NAME_SUFFIXES = ("localhost", "localdomain", "local", "internal", "home.arpa")
LOOPBACK_NAMES = frozenset({"localhost"})

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
LOOPBACK_NETWORKS = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
SHARED_NETWORK = ipaddress.ip_network("100.64.0.0/10")
# Spelled out because Python's is_global misses some of them in 3.12 (NAT64, site-local).
RESERVED_NETWORKS = _networks(
    "0.0.0.0/8 192.0.0.0/24 192.0.2.0/24 198.18.0.0/15 198.51.100.0/24 203.0.113.0/24 240.0.0.0/4"
    " ::/8 100::/64 64:ff9b:1::/48 2001::/23 2001:db8::/32 fec0::/10"
)
# IPv6 forms whose last 32 bits are an IPv4 address a packet may end up at.
EMBEDDING_NETWORKS = _networks("::ffff:0:0/96 ::/96 ::ffff:0:0:0/96 64:ff9b::/96")
TEREDO_NETWORK = ipaddress.ip_network("2001::/32")

FORBIDDEN_URL_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")
HOST_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
DIGITS = re.compile(r"^[0-9]+$")
PATH_SAFE = "/%!$&'()*+,;=:@-._~"


class OutboundError(Exception):
    """An outbound request failed; the message is fit to show to the user who gave the URL."""


class UnsafeURLError(OutboundError, ValueError):
    """The URL is malformed, uses a refused scheme, or leads to an internal address."""


class ResponseTooLargeError(OutboundError):
    """The response body is larger than the caller's max_bytes."""


class OutboundTimeoutError(OutboundError, TimeoutError):
    """Connecting, reading, or the request as a whole took longer than allowed."""


class OutboundConnectionError(OutboundError):
    """The server could not be reached or spoke broken HTTP/TLS."""


class TooManyRedirectsError(OutboundError):
    """The server kept redirecting past follow_redirects hops."""


@dataclass(frozen=True)
class ResolvedURL:
    """A checked URL: where the request goes and the addresses it may connect to."""

    url: str
    scheme: str
    host: str  # ASCII (IDNA) host as sent in Host and SNI; IPv6 without brackets
    port: int
    target: str  # percent-encoded path and query for the request line
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    headers: Mapping[str, str]  # lower-cased names; repeated headers joined with ", "
    content: bytes
    url: str  # the URL that produced this response, after any redirects followed


def check_url(url: str, *, allow_schemes: tuple[str, ...] = ("http", "https")) -> ResolvedURL:
    """Parse and resolve a user-given URL, refusing anything that leads inside."""
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeURLError(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    if FORBIDDEN_URL_CHARACTERS.search(url):
        raise UnsafeURLError("The URL contains spaces, control characters or backslashes.")
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise UnsafeURLError(f"The URL cannot be parsed: {exc}.") from exc
    scheme = parts.scheme.lower()
    if scheme not in allow_schemes:
        allowed = " and ".join(allow_schemes)
        raise UnsafeURLError(f'Only {allowed} URLs are allowed, not "{scheme or url}".')
    if "@" in parts.netloc:
        raise UnsafeURLError("URLs with a user name or password are not allowed.")
    raw_host, port = _split_netloc(parts.netloc, scheme)
    host, literal = _normalise_host(raw_host)
    allow_loopback = _loopback_allowed()
    if literal is not None:
        _refuse_address(literal, host, allow_loopback=allow_loopback)
        addresses: tuple[str, ...] = (str(literal),)
    else:
        _refuse_internal_name(host, allow_loopback=allow_loopback)
        addresses = _resolve(host, port, allow_loopback=allow_loopback)
    target = quote(parts.path or "/", safe=PATH_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=PATH_SAFE + "?")
    authority = f"[{host}]" if ":" in host else host
    if port != DEFAULT_PORTS.get(scheme):
        authority += f":{port}"
    return ResolvedURL(
        url=f"{scheme}://{authority}{target}",
        scheme=scheme,
        host=host,
        port=port,
        target=target,
        addresses=addresses,
    )


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
) -> OutboundResponse:
    """One checked, pinned, size- and time-capped HTTP(S) request; 3xx answers come back as is
    unless follow_redirects allows that many hops, each checked like the first."""
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
            read_redirect_body=follow_redirects == 0,
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
        previous, url = resolved, urljoin(resolved.url, location)


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "NEXUS_OUTBOUND_ALLOW_LOOPBACK", False))


def _split_netloc(netloc: str, scheme: str) -> tuple[str, int]:
    """Host and port of an authority without userinfo; IPv6 hosts keep no brackets."""
    if netloc.startswith("["):
        host, bracket, rest = netloc[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise UnsafeURLError("The URL's IPv6 address is not closed by ']'.")
        port_text = rest[1:]
        if ":" not in host:
            raise UnsafeURLError("Only IPv6 addresses may be written in brackets.")
    else:
        host, _, port_text = netloc.partition(":")
    if not host:
        raise UnsafeURLError("The URL has no host.")
    if not port_text:
        if scheme not in DEFAULT_PORTS:
            raise UnsafeURLError(f"A {scheme} URL needs an explicit port.")
        return host, DEFAULT_PORTS[scheme]
    if not DIGITS.match(port_text) or not 0 < int(port_text) < 65536:
        raise UnsafeURLError(f'The URL\'s port "{port_text}" is not a number from 1 to 65535.')
    return host, int(port_text)


def _normalise_host(raw_host: str) -> tuple[str, IPAddress | None]:
    """The host as it will be connected to: lower-case ASCII, and the IP when it is a literal."""
    if "%" in raw_host:
        raise UnsafeURLError("Percent-encoded or zoned hosts are not allowed.")
    if ":" in raw_host:
        try:
            address = ipaddress.IPv6Address(raw_host)
        except ValueError as exc:
            raise UnsafeURLError(f'"{raw_host}" is not a valid IPv6 address.') from exc
        return str(address), address
    try:
        # The stdlib IDNA codec also folds full-width digits and dots (NFKC), so a full-width
        # 127.0.0.1 becomes the ASCII one here and is caught as a literal below.
        host = raw_host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise UnsafeURLError(f'"{raw_host}" is not a valid host name.') from exc
    host = host.removesuffix(".")
    ipv4 = _parse_ipv4(host)
    if ipv4 is not None:
        return str(ipv4), ipv4
    labels = host.split(".")
    if len(host) > 253 or not all(HOST_LABEL.match(label) for label in labels):
        raise UnsafeURLError(f'"{raw_host}" is not a valid host name.')
    return host, None


def _parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """A host that ends in a number is an IPv4 address in the WHATWG URL sense, in any of the
    spellings resolvers accept (127.1, 0x7f.1, 017700000001, 2130706433) - or it is invalid.
    None means the host is a domain name."""
    labels = host.split(".")
    if not (DIGITS.match(labels[-1]) or _ipv4_number(labels[-1]) is not None):
        return None
    numbers = [number for label in labels if (number := _ipv4_number(label)) is not None]
    if len(labels) > 4 or len(numbers) != len(labels):
        raise UnsafeURLError(f'"{host}" is neither a valid IPv4 address nor a host name.')
    if any(number > 255 for number in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise UnsafeURLError(f'"{host}" is not a valid IPv4 address.')
    value = numbers[-1]
    for index, number in enumerate(numbers[:-1]):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_number(label: str) -> int | None:
    """A label as decimal, 0x-hex or 0-octal number, as inet_aton and WHATWG read it."""
    digits, base = (label[2:], 16) if label[:2] in ("0x", "0X") else (label, 10)
    if base == 10 and len(label) > 1 and label[0] == "0":
        digits, base = label[1:], 8
    if not label or not re.fullmatch("[0-9a-fA-F]*" if base == 16 else "[0-9]+", digits):
        return None
    try:
        return int(digits, base) if digits else 0
    except ValueError:
        return None


def _refuse_internal_name(host: str, *, allow_loopback: bool) -> None:
    if allow_loopback and host in LOOPBACK_NAMES:
        return
    if "." not in host:
        raise UnsafeURLError(f'"{host}" is not a public host name (it has no domain).')
    if any(host == suffix or host.endswith("." + suffix) for suffix in INTERNAL_NAME_SUFFIXES):
        raise UnsafeURLError(f'"{host}" is an internal host name.')


def _resolve(host: str, port: int, *, allow_loopback: bool) -> tuple[str, ...]:
    """Every address the name resolves to; one internal address refuses the whole name."""
    try:
        results = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeURLError(f'The host "{host}" could not be resolved.') from exc
    addresses: list[str] = []
    for *_, sockaddr in results:
        try:
            address = ipaddress.ip_address(str(sockaddr[0]))
        except ValueError as exc:
            raise UnsafeURLError(f'"{host}" resolves to an unusable address.') from exc
        _refuse_address(address, host, allow_loopback=allow_loopback)
        if str(address) not in addresses:
            addresses.append(str(address))
    if not addresses:
        raise UnsafeURLError(f'The host "{host}" could not be resolved.')
    return tuple(addresses)


def _refuse_address(address: IPAddress, host: str, *, allow_loopback: bool) -> None:
    problem = _address_problem(address, allow_loopback=allow_loopback)
    if problem is None:
        return
    where = str(address) if host == str(address) else f"{host} ({address})"
    raise UnsafeURLError(f"{where} is {problem}, which outbound requests may not reach.")


def _address_problem(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """What makes an address internal, or None for a public unicast address."""
    if allow_loopback and any(address in network for network in LOOPBACK_NETWORKS):
        return None
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            problem = _address_problem(embedded, allow_loopback=False)
            return f"an IPv6 form of {embedded}, {problem}" if problem else None
        if address in TEREDO_NETWORK:
            return "a Teredo tunnel address"
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    checks = (
        (address.is_loopback, "a loopback address"),
        (address.is_unspecified, "the unspecified address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address in SHARED_NETWORK, "a shared (carrier-grade NAT) address"),
        (any(address in network for network in RESERVED_NETWORKS), "a reserved address"),
        (address.is_private, "a private address"),
        (address.is_reserved or not address.is_global, "a reserved address"),
    )
    return next((problem for failed, problem in checks if failed), None)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, -compatible, -translated, NAT64 or 6to4 form."""
    if address.sixtofour is not None:
        return address.sixtofour
    if address in EMBEDDING_NETWORKS[1] and int(address) <= 1:
        return None  # :: and ::1 are IPv6's own unspecified and loopback addresses
    if any(address in network for network in EMBEDDING_NETWORKS):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


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
        skip_body = response.status in REDIRECT_STATUSES and not read_redirect_body
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
        if self.sock is not None:
            # The plain socket's shutdown, also for TLS: SSLSocket.shutdown would tear down
            # the TLS state under the reading thread's feet.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self.sock, socket.SHUT_RDWR)
