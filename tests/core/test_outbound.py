"""The outbound-URL guard and client: hostile URLs refused before any connection, real requests
only ever to servers on 127.0.0.1.

Name resolution is faked (it is a third-party network service); IP literals in every spelling
must be parsed by the code under test, so the fake resolver fails the test if it is asked about
one. Every socket connect goes through a guard that lets only 127.0.0.1 through; a "public"
address can be routed to a local server to play the internet.
"""

import contextlib
import http.server
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from nexus.core import outbound
from nexus.core.outbound import (
    OutboundError,
    OutboundTimeoutError,
    ResponseTooLargeError,
    TooManyRedirectsError,
    UnsafeURLError,
    check_url,
    fetch,
)
from tests import hostile
from tests.shared import require

PUBLIC_IP = "93.184.215.14"
OTHER_PUBLIC_IP = "93.184.215.15"
LOOKS_LIKE_AN_IP = re.compile(r"[0-9a-fA-FxX.:\[\]]+")
FAST = {"timeout": (0.5, 0.5), "total_timeout": 3.0}


@dataclass
class FakeDNS:
    """socket.getaddrinfo for names only: PUBLIC_IP unless told otherwise, one answer a call."""

    answers: dict[str, list[list[str]]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def answer(self, host: str, *answers: list[str]) -> None:
        self.answers[host] = list(answers)

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        if LOOKS_LIKE_AN_IP.fullmatch(str(host)):
            raise AssertionError(f"{host!r} is an IP literal: it must be parsed, not resolved")
        self.calls.append(host)
        queue = self.answers.get(host, [[PUBLIC_IP]])
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in addresses
        ]


@dataclass
class ConnectGuard:
    """Every connect attempt, by the address asked for; routes map fake public ones to 127.0.0.1."""

    attempts: list[tuple[str, int]] = field(default_factory=list)
    routes: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)


@pytest.fixture
def dns(monkeypatch) -> FakeDNS:
    fake = FakeDNS()
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture(autouse=True)
def connections(monkeypatch, dns) -> ConnectGuard:
    """Only 127.0.0.1 is ever connected to, whatever the code under test asks for."""
    guard = ConnectGuard()
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        asked = (address[0], address[1])
        guard.attempts.append(asked)
        host, port = guard.routes.get(asked, asked)
        if host != "127.0.0.1":
            raise ConnectionRefusedError(f"the test network refuses {asked}")
        return real_connect(sock, (host, port))

    def unguarded_connect_ex(sock, address):
        raise AssertionError("connect_ex would bypass the test network's guard")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", unguarded_connect_ex)
    return guard


@pytest.fixture
def allow_loopback(settings):
    settings.NEXUS_OUTBOUND_ALLOW_LOOPBACK = True


@pytest.fixture
def forbid_loopback(settings):
    settings.NEXUS_OUTBOUND_ALLOW_LOOPBACK = False


class Handler(http.server.BaseHTTPRequestHandler):
    """Paths: /ok, /echo, /big, /stream, /slow, /drip, /redirect?to=URL&status=302."""

    protocol_version = "HTTP/1.1"
    server: "RecordingServer"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_HEAD(self):
        self.server.requests.append((self.command, self.path, self.headers, b""))
        self.send_response(200)
        self.send_header("Content-Length", "10000")
        self.end_headers()

    def _handle(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append((self.command, self.path, self.headers, body))
        path, query = urlsplit(self.path).path, parse_qs(urlsplit(self.path).query)
        if path == "/ok":
            self._send(200, b"hello", {"X-Answer": "42"})
        elif path == "/echo":
            self._send(200, self.command.encode() + b" " + body)
        elif path == "/big":
            self._send(200, b"x" * 10_000)
        elif path == "/stream":
            # No Content-Length: the body ends when the connection closes.
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"y" * 1000)
        elif path == "/slow":
            self.server.release.wait(5)
            self._send(200, b"late")
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                if self.server.release.wait(0.1):
                    break
                self.wfile.write(b"z")
                self.wfile.flush()
        elif path == "/redirect":
            status = int(query.get("status", ["302"])[0])
            self._send(status, b"moved", {"Location": query["to"][0]})
        else:
            self._send(404, b"not found")

    def _send(self, status, body, headers=None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class RecordingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[tuple[str, str, Message, bytes]] = []
        self.release = threading.Event()

    def handle_error(self, request, client_address):
        # Clients that hang up mid-response are what the size and time limit tests are about.
        if not isinstance(sys.exception(), ConnectionError):
            super().handle_error(request, client_address)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def paths(self) -> list[str]:
        return [path for _, path, _, _ in self.requests]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def run_server(server: RecordingServer) -> Iterator[RecordingServer]:
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    yield from run_server(RecordingServer())


@pytest.fixture
def other_server() -> Iterator[RecordingServer]:
    yield from run_server(RecordingServer())


# check_url: refusals


@pytest.mark.parametrize("url", hostile.params(hostile.ssrf_urls()))
def test_every_own_corpus_url_is_refused_without_connecting(url, dns, connections):
    with pytest.raises(UnsafeURLError):
        check_url(url)
    with pytest.raises(UnsafeURLError):
        fetch(url, max_bytes=1000, **FAST)
    assert connections.attempts == []


def test_the_own_ssrf_corpus_covers_every_spelling():
    classes = hostile.ssrf_classes()
    for name in (
        *("loopback", "decimal", "octal", "hex", "short-forms", "ipv6", "ipv4-mapped-and-embedded"),
        *("private-and-reserved-ranges", "cloud-metadata", "internal-names", "schemes"),
        *("userinfo-and-parser-confusion", "unicode-and-encoding", "malformed"),
    ):
        assert len(classes.get(name, [])) >= 4, name
    assert len(hostile.names_resolving_inside()) >= 8


@pytest.mark.parametrize(("host", "answer"), hostile.names_resolving_inside().items())
def test_every_own_name_resolving_inside_is_refused_after_resolution(
    host, answer, dns, connections
):
    dns.answer(host, answer)
    with pytest.raises(UnsafeURLError):
        check_url(f"https://{host}/spec.yaml")
    assert connections.attempts == []


@pytest.mark.parametrize("url", hostile.public_urls())
def test_every_own_public_url_is_accepted(url, dns, connections):
    assert check_url(url).addresses
    assert connections.attempts == []


REDIRECT_TARGETS = [
    *(url for _, url in hostile.ssrf_urls() if not url.startswith("https://example.com/aaa")),
    *(f"http://{host}/" for host in hostile.names_resolving_inside()),
]


@pytest.mark.usefixtures("forbid_loopback")
@pytest.mark.parametrize("target", REDIRECT_TARGETS, ids=lambda target: target[:80])
def test_a_public_site_redirecting_to_any_corpus_url_gets_no_connection_there(
    target, server, dns, connections
):
    for host, answer in hostile.names_resolving_inside().items():
        dns.answer(host, answer)
    # The public site (PUBLIC_IP, played by the local server) answers with a redirect. A few
    # spellings are a path on that same site to this client (http:///x), which is harmless: what
    # matters is that nothing but the public site is ever connected to.
    connections.routes[(PUBLIC_IP, 80)] = ("127.0.0.1", server.port)
    with contextlib.suppress(OutboundError):
        fetch(
            f"http://public.example.test/redirect?to={quote(target, safe='')}",
            max_bytes=1000,
            follow_redirects=3,
            **FAST,
        )
    assert set(connections.attempts) == {(PUBLIC_IP, 80)}


@pytest.mark.parametrize("url", hostile.shared_params(hostile.shared_ssrf_urls()))
def test_every_shared_corpus_url_is_refused_without_connecting(url, dns, connections):
    # Names in the corpus that resolve only at run time are given internal answers, as they
    # would get inside a cloud network; every other name would resolve to a public address.
    dns.answer("metadata.google.internal", ["169.254.169.254"])
    with pytest.raises(UnsafeURLError):
        check_url(url)
    with pytest.raises(UnsafeURLError):
        fetch(url, max_bytes=1000, **FAST)
    assert connections.attempts == []


def test_the_shared_ssrf_corpus_is_substantial():
    require(hostile.SHARED_SSRF)
    assert len(hostile.shared_ssrf_urls()) >= 40


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (["10.0.0.7"], "private"),
        ([PUBLIC_IP, "192.168.0.10"], "private"),
        (["127.0.0.1"], "loopback"),
        (["169.254.169.254"], "metadata"),
        (["::ffff:127.0.0.1"], "127.0.0.1"),
        (["fd12:3456::1"], "private"),
        (["100.64.1.1"], "shared"),
    ],
)
def test_names_resolving_to_any_internal_address_are_refused(answer, reason, dns):
    dns.answer("sneaky.example.com", answer)
    with pytest.raises(UnsafeURLError, match=reason):
        check_url("https://sneaky.example.com/spec.yaml")


def test_unresolvable_names_are_refused_with_a_clear_message(dns):
    dns.answer("nowhere.example.com", [])
    with pytest.raises(UnsafeURLError, match="could not be resolved"):
        check_url("https://nowhere.example.com/")


def test_refusals_say_what_is_wrong():
    with pytest.raises(UnsafeURLError, match="loopback"):
        check_url("http://0x7f.1/")
    with pytest.raises(UnsafeURLError, match="user name or password"):
        check_url("http://u:p@example.com/")
    with pytest.raises(UnsafeURLError, match='not "file"'):
        check_url("file:///etc/passwd")


def test_the_unsafe_url_error_is_a_value_error():
    with pytest.raises(ValueError, match="private"):
        check_url("http://10.0.0.1/")


def test_allowed_schemes_can_be_narrowed():
    with pytest.raises(UnsafeURLError, match="Only https"):
        check_url("http://example.com/", allow_schemes=("https",))


# check_url: accepted URLs


def test_a_public_url_is_accepted_and_resolved_without_connecting(dns, connections):
    resolved = check_url("https://example.com/openapi.yaml")
    assert resolved.url == "https://example.com/openapi.yaml"
    assert (resolved.scheme, resolved.host, resolved.port) == ("https", "example.com", 443)
    assert resolved.target == "/openapi.yaml"
    assert resolved.addresses == (PUBLIC_IP,)
    assert dns.calls == ["example.com"]
    assert connections.attempts == []


def test_accepted_urls_are_normalised_to_what_is_sent(dns):
    resolved = check_url(
        "HTTPS://Docs.Example.COM.:8443/a path/ä?q=ü&x=1#fragment".replace(" ", "%20")
    )
    assert resolved.host == "docs.example.com"
    assert resolved.port == 8443
    assert resolved.target == "/a%20path/%C3%A4?q=%C3%BC&x=1"
    assert resolved.url == "https://docs.example.com:8443/a%20path/%C3%A4?q=%C3%BC&x=1"


def test_international_domain_names_are_sent_as_punycode(dns):
    resolved = check_url("https://bücher.example/")
    assert resolved.host == "xn--bcher-kva.example"
    assert dns.calls == ["xn--bcher-kva.example"]


def test_a_url_without_path_requests_the_root(dns):
    assert check_url("http://example.com").target == "/"


def test_public_ip_literals_are_accepted_without_dns(dns):
    assert check_url(f"http://{PUBLIC_IP}:8080/x").addresses == (PUBLIC_IP,)
    assert check_url("http://[2606:2800:220:1:248:1893:25c8:1946]/").addresses == (
        "2606:2800:220:1:248:1893:25c8:1946",
    )
    assert check_url("http://1572394766/").addresses == (PUBLIC_IP,)  # one-number spelling
    assert dns.calls == []


def test_all_resolved_addresses_are_kept_in_order(dns):
    dns.answer("multi.example.com", [PUBLIC_IP, OTHER_PUBLIC_IP, PUBLIC_IP])
    assert check_url("https://multi.example.com/").addresses == (PUBLIC_IP, OTHER_PUBLIC_IP)


# the loopback escape hatch for tests


@pytest.mark.usefixtures("allow_loopback")
def test_the_loopback_setting_lets_only_loopback_through(dns):
    assert check_url("http://127.0.0.1:8000/hook").addresses == ("127.0.0.1",)
    assert check_url("http://127.0.0.2/").addresses == ("127.0.0.2",)
    assert check_url("http://[::1]/").addresses == ("::1",)
    dns.answer("localhost", ["127.0.0.1"])
    assert check_url("http://localhost:9000/").addresses == ("127.0.0.1",)
    for url in ("http://10.0.0.1/", "http://169.254.169.254/", "http://[::ffff:127.0.0.1]/"):
        with pytest.raises(UnsafeURLError):
            check_url(url)


@pytest.mark.usefixtures("allow_loopback")
def test_the_loopback_setting_still_refuses_localhost_resolving_elsewhere(dns):
    dns.answer("localhost", ["10.0.0.1"])
    with pytest.raises(UnsafeURLError, match="private"):
        check_url("http://localhost/")


@pytest.mark.usefixtures("forbid_loopback")
def test_loopback_is_refused_by_default():
    with pytest.raises(UnsafeURLError, match="loopback"):
        check_url("http://127.0.0.1:8000/hook")


# fetch against a local server


@pytest.mark.usefixtures("allow_loopback")
def test_fetch_returns_status_headers_and_body(server):
    response = fetch(server.url("/ok"), max_bytes=1000, **FAST)
    assert response.status == 200
    assert response.content == b"hello"
    assert response.headers["x-answer"] == "42"
    assert response.url == server.url("/ok")
    method, path, headers, _ = server.requests[0]
    assert (method, path) == ("GET", "/ok")
    assert headers["User-Agent"] == outbound.USER_AGENT
    assert headers["Host"] == f"127.0.0.1:{server.port}"


@pytest.mark.usefixtures("allow_loopback")
def test_fetch_sends_method_headers_and_body(server):
    response = fetch(
        server.url("/echo"),
        method="POST",
        body=b'{"event": "ping"}',
        headers={"Content-Type": "application/json", "X-Nexus-Signature": "sha256=abc"},
        max_bytes=1000,
        **FAST,
    )
    assert response.content == b'POST {"event": "ping"}'
    _, _, headers, _ = server.requests[0]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Nexus-Signature"] == "sha256=abc"


def test_fetch_refuses_to_override_the_host_header():
    with pytest.raises(ValueError, match="Host"):
        fetch("https://example.com/", headers={"HOST": "internal"}, max_bytes=10)


def test_fetch_refuses_a_negative_redirect_budget():
    with pytest.raises(ValueError, match="negative"):
        fetch("https://example.com/", follow_redirects=-1, max_bytes=10)


@pytest.mark.usefixtures("allow_loopback")
def test_fetch_connects_to_the_checked_address_with_the_url_host_in_the_host_header(
    server, dns, connections
):
    # The name resolves to the local server first and to a public address afterwards: the one
    # resolution that was checked is the one connected to.
    dns.answer("api.example.test", ["127.0.0.1"], [PUBLIC_IP])
    response = fetch(f"http://api.example.test:{server.port}/ok", max_bytes=1000, **FAST)
    assert response.status == 200
    assert dns.calls == ["api.example.test"]
    assert connections.attempts == [("127.0.0.1", server.port)]
    _, _, headers, _ = server.requests[0]
    assert headers["Host"] == f"api.example.test:{server.port}"


@pytest.mark.usefixtures("forbid_loopback")
def test_dns_rebinding_after_the_check_cannot_redirect_the_connection(
    server, other_server, dns, connections
):
    # `other_server` plays the public host at PUBLIC_IP; `server` is the internal service on
    # 127.0.0.1 that a rebinding answer (127.0.0.1 on the second lookup) would reach.
    internal_port = server.port
    connections.routes[(PUBLIC_IP, internal_port)] = ("127.0.0.1", other_server.port)
    dns.answer("rebind.example.test", [PUBLIC_IP], ["127.0.0.1"])
    response = fetch(f"http://rebind.example.test:{internal_port}/ok", max_bytes=1000, **FAST)
    assert response.status == 200
    assert dns.calls == ["rebind.example.test"]
    assert connections.attempts == [(PUBLIC_IP, internal_port)]
    assert other_server.paths == ["/ok"]
    assert server.requests == []


def test_fetch_tries_the_next_checked_address_when_one_refuses(server, dns, connections):
    connections.routes[(OTHER_PUBLIC_IP, 80)] = ("127.0.0.1", server.port)
    dns.answer("two.example.test", [PUBLIC_IP, OTHER_PUBLIC_IP])
    response = fetch("http://two.example.test/ok", max_bytes=1000, **FAST)
    assert response.status == 200
    assert connections.attempts == [(PUBLIC_IP, 80), (OTHER_PUBLIC_IP, 80)]


def test_fetch_checks_before_connecting(connections):
    with pytest.raises(UnsafeURLError):
        fetch("http://10.0.0.1/", max_bytes=1000)
    assert connections.attempts == []


@pytest.mark.usefixtures("allow_loopback")
def test_a_declared_body_over_the_limit_is_refused_unread(server):
    with pytest.raises(ResponseTooLargeError, match="10000 bytes"):
        fetch(server.url("/big"), max_bytes=9_999, **FAST)


@pytest.mark.usefixtures("allow_loopback")
def test_a_streamed_body_is_cut_off_past_the_limit(server):
    with pytest.raises(ResponseTooLargeError):
        fetch(server.url("/stream"), max_bytes=5_000, **FAST)
    assert fetch(server.url("/stream"), max_bytes=100_000, **FAST).content == b"y" * 100_000


@pytest.mark.usefixtures("allow_loopback")
def test_a_body_exactly_at_the_limit_is_accepted(server):
    assert len(fetch(server.url("/big"), max_bytes=10_000, **FAST).content) == 10_000


@pytest.mark.usefixtures("allow_loopback")
def test_a_head_request_is_not_refused_for_the_size_it_declares(server):
    response = fetch(server.url("/big"), method="HEAD", max_bytes=100, **FAST)
    assert (response.status, response.headers["content-length"], response.content) == (
        200,
        "10000",
        b"",
    )


@pytest.mark.usefixtures("allow_loopback")
def test_a_response_can_be_judged_on_its_status_and_headers_alone(server):
    for path in ("/big", "/stream"):
        response = fetch(server.url(path), max_bytes=100, read_body=False, **FAST)
        assert (response.status, response.content) == (200, b"")
    redirect = fetch(server.url("/redirect?to=/ok"), max_bytes=100, read_body=False, **FAST)
    assert (redirect.status, redirect.headers["location"], redirect.content) == (302, "/ok", b"")


@pytest.mark.usefixtures("allow_loopback")
def test_a_slow_response_times_out(server):
    started = time.monotonic()
    with pytest.raises(OutboundTimeoutError):
        fetch(server.url("/slow"), max_bytes=1000, timeout=(0.5, 0.5))
    assert time.monotonic() - started < 3  # the server would answer only after 5 s


@pytest.mark.usefixtures("allow_loopback")
def test_a_server_dripping_bytes_is_stopped_by_the_total_timeout(server):
    # Each byte arrives well within the read timeout; only the overall deadline can stop it.
    started = time.monotonic()
    with pytest.raises(OutboundTimeoutError):
        fetch(server.url("/drip"), max_bytes=1000, timeout=(0.5, 0.5), total_timeout=1.0)
    assert time.monotonic() - started < 4  # the drip would take 10 s


@pytest.mark.usefixtures("allow_loopback")
def test_redirects_are_returned_not_followed_by_default(server):
    response = fetch(server.url(f"/redirect?to={server.url('/ok')}"), max_bytes=1000, **FAST)
    assert response.status == 302
    assert response.headers["location"] == server.url("/ok")
    assert server.paths == [f"/redirect?to={server.url('/ok')}"]


@pytest.mark.usefixtures("allow_loopback")
def test_redirects_are_followed_when_allowed(server):
    response = fetch(
        server.url(f"/redirect?to={server.url('/ok')}"), max_bytes=1000, follow_redirects=2, **FAST
    )
    assert (response.status, response.content, response.url) == (200, b"hello", server.url("/ok"))


@pytest.mark.usefixtures("allow_loopback")
def test_relative_redirects_are_resolved_against_the_current_url(server):
    response = fetch(server.url("/redirect?to=/ok"), max_bytes=1000, follow_redirects=1, **FAST)
    assert response.url == server.url("/ok")


@pytest.mark.usefixtures("allow_loopback")
def test_too_many_redirects_are_an_error(server):
    loop = server.url("/redirect?to=/redirect%3Fto%3D/ok")
    with pytest.raises(TooManyRedirectsError):
        fetch(loop, max_bytes=1000, follow_redirects=1, **FAST)


@pytest.mark.usefixtures("allow_loopback")
def test_a_303_after_post_continues_as_get_without_the_body(server):
    response = fetch(
        server.url("/redirect?status=303&to=/echo"),
        method="POST",
        body=b"secret payload",
        max_bytes=1000,
        follow_redirects=1,
        **FAST,
    )
    assert response.content == b"GET "


@pytest.mark.usefixtures("allow_loopback")
def test_a_307_keeps_method_and_body(server):
    response = fetch(
        server.url("/redirect?status=307&to=/echo"),
        method="POST",
        body=b"payload",
        max_bytes=1000,
        follow_redirects=1,
        **FAST,
    )
    assert response.content == b"POST payload"


@pytest.mark.usefixtures("allow_loopback")
def test_credentials_are_not_forwarded_to_another_origin(server, other_server):
    fetch(
        server.url(f"/redirect?to={other_server.url('/ok')}"),
        headers={"Authorization": "Bearer secret", "X-Trace": "1"},
        max_bytes=1000,
        follow_redirects=1,
        **FAST,
    )
    _, _, first_headers, _ = server.requests[0]
    _, _, second_headers, _ = other_server.requests[0]
    assert first_headers["Authorization"] == "Bearer secret"
    assert "Authorization" not in second_headers
    assert second_headers["X-Trace"] == "1"


@pytest.mark.usefixtures("forbid_loopback")
def test_a_redirect_to_an_internal_address_is_refused(server, dns, connections):
    # The public site (PUBLIC_IP, played by the local server) redirects to 127.0.0.1.
    connections.routes[(PUBLIC_IP, 80)] = ("127.0.0.1", server.port)
    target = server.url("/ok")
    with pytest.raises(UnsafeURLError, match="loopback"):
        fetch(
            f"http://public.example.test/redirect?to={target}",
            max_bytes=1000,
            follow_redirects=3,
            **FAST,
        )
    assert server.paths == [f"/redirect?to={target}"]
    assert connections.attempts == [(PUBLIC_IP, 80)]


@pytest.mark.usefixtures("forbid_loopback")
def test_a_redirect_to_a_name_resolving_inside_is_refused(server, dns, connections):
    connections.routes[(PUBLIC_IP, 80)] = ("127.0.0.1", server.port)
    dns.answer("internal.example.test", ["10.1.2.3"])
    with pytest.raises(UnsafeURLError, match="private"):
        fetch(
            "http://public.example.test/redirect?to=http://internal.example.test/",
            max_bytes=1000,
            follow_redirects=3,
            **FAST,
        )
    assert connections.attempts == [(PUBLIC_IP, 80)]


@pytest.mark.usefixtures("forbid_loopback")
def test_a_redirect_to_a_malformed_url_is_refused_not_a_crash(server, dns, connections):
    connections.routes[(PUBLIC_IP, 80)] = ("127.0.0.1", server.port)
    with pytest.raises(UnsafeURLError, match="invalid URL"):
        fetch(
            "http://public.example.test/redirect?to=http://[::1/",
            max_bytes=1000,
            follow_redirects=3,
            **FAST,
        )


def test_a_refused_connection_is_an_outbound_error(dns):
    with pytest.raises(outbound.OutboundConnectionError):
        fetch("http://closed.example.test/", max_bytes=1000, **FAST)


# HTTPS: the certificate is verified against the URL's host, which also goes out as SNI


@dataclass
class TLSServer:
    server: RecordingServer
    cert: Path
    server_names: list[str]


@pytest.fixture
def tls_server(tmp_path) -> Iterator[TLSServer]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=docs.example.test",
            "-addext",
            "subjectAltName=DNS:docs.example.test",
        ],
        check=True,
        capture_output=True,
    )
    server_names: list[str] = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)
    server = RecordingServer()
    server.socket = context.wrap_socket(server.socket, server_side=True)
    for running in run_server(server):
        yield TLSServer(running, cert, server_names)


@pytest.mark.usefixtures("allow_loopback")
def test_https_verifies_the_certificate_of_the_url_host(tls_server, dns):
    dns.answer("docs.example.test", ["127.0.0.1"])
    with pytest.raises(outbound.OutboundConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
        fetch(f"https://docs.example.test:{tls_server.server.port}/ok", max_bytes=1000, **FAST)
    assert tls_server.server_names == ["docs.example.test"]
    assert tls_server.server.requests == []


@pytest.mark.usefixtures("allow_loopback")
def test_https_to_a_pinned_address_keeps_the_host_name_for_sni_and_host(
    tls_server, dns, monkeypatch
):
    trusting = ssl.create_default_context(cafile=str(tls_server.cert))
    monkeypatch.setattr(outbound.client, "_tls_context", lambda: trusting)
    dns.answer("docs.example.test", ["127.0.0.1"])
    response = fetch(
        f"https://docs.example.test:{tls_server.server.port}/ok", max_bytes=1000, **FAST
    )
    assert response.content == b"hello"
    assert tls_server.server_names == ["docs.example.test"]
    _, _, headers, _ = tls_server.server.requests[0]
    assert headers["Host"] == f"docs.example.test:{tls_server.server.port}"
