"""URL checks: parse a user-given URL as the client will use it and refuse internal targets."""

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings

from nexus.core.outbound.errors import UnsafeURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(cidrs: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(cidr) for cidr in cidrs.split())


DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_LENGTH = 2048

# Names that only ever mean "this machine" or "this network"; single-label names (intranet,
# metadata, instance-data) are refused separately because search domains make them internal.
# svc (Kubernetes services through the search path), lan, corp and home are not delegated in the
# public DNS, so no public URL is lost by refusing them before resolution.
INTERNAL_NAME_SUFFIXES = (
    *("localhost", "localdomain", "local", "internal", "home.arpa"),
    *("svc", "lan", "corp", "home"),
)
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


@dataclass(frozen=True)
class ResolvedURL:
    """A checked URL: where the request goes and the addresses it may connect to."""

    url: str
    scheme: str
    host: str  # ASCII (IDNA) host as sent in Host and SNI; IPv6 without brackets
    port: int
    target: str  # percent-encoded path and query for the request line
    addresses: tuple[str, ...]


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
