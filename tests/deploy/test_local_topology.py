"""The native production topology works end to end (deploy/local/up).

nginx load-balances two gunicorn replicas in production mode on PostgreSQL, Redis and RabbitMQ;
a password-reset request goes through nginx, the broker and the Celery worker to an SMTP server
this test runs. Only loopback traffic. Runs when NEXUS_TOPOLOGY_TEST=1 (.ci/run sets it).
The topology and SMTP server fixtures are tests/deploy/topology.py's.

Every request goes over HTTPS, as a visitor's would, verified with the local CA that up made;
plain HTTP is only what stays plain (the probes) and the redirect away from it.
"""

import http.client
import http.cookiejar
import json
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import warnings

import pytest

from tests import figures
from tests.deploy.topology import (
    BASE_URL,
    LOCAL_CA,
    NGINX_PORT,
    NGINX_TLS_PORT,
    ROOT,
    RUN_DIR,
    api_token,
    create_user,
    local_ca_context,
    require_topology_test,
)

require_topology_test(
    "the native topology test starts PostgreSQL, Redis, RabbitMQ, nginx, gunicorn and Celery"
)

pytestmark = pytest.mark.services

MAIL_TIMEOUT_SECONDS = 30


def fetch(path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(BASE_URL + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10, context=local_ca_context()) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def get_json(path: str) -> tuple[int, dict, dict[str, str]]:
    status, body, headers = fetch(path)
    return status, json.loads(body), headers


def post_json(path: str, payload: dict) -> int:
    request = urllib.request.Request(
        BASE_URL + path,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10, context=local_ca_context()) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# --- Tests ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("topology")
def test_nginx_balances_requests_over_both_replicas():
    replicas = []
    for _ in range(12):
        status, body, headers = get_json("/healthz")
        assert status == 200
        assert body["status"] == "ok"
        assert headers.get("X-Request-ID")
        replicas.append(body["replica"])
    assert set(replicas) == {"web-1", "web-2"}
    # Round robin: neither replica takes (nearly) all the traffic.
    assert min(replicas.count("web-1"), replicas.count("web-2")) >= 3, replicas


@pytest.mark.usefixtures("topology")
def test_readiness_through_nginx_reports_postgresql_redis_and_rabbitmq():
    status, body, _ = get_json("/readyz")
    assert status == 200, body
    checks = body["checks"]
    assert {name for name, check in checks.items() if check["ok"]} == {
        "database",
        "cache",
        "broker",
    }
    assert checks["database"]["vendor"] == "postgresql"
    assert checks["cache"]["backend"] == "StrictRedisCache"
    assert checks["broker"]["mode"] == "broker"


@pytest.mark.usefixtures("topology")
def test_password_reset_mail_goes_through_the_broker_and_the_worker(smtp_server):
    address = f"topology-{uuid.uuid4().hex[:12]}@example.com"
    create_user(address, f"Topology-{uuid.uuid4().hex}")

    worker_log = RUN_DIR / "worker.log"
    log_offset = worker_log.stat().st_size  # the log is appended to across runs

    assert post_json("/api/v1/auth/password-reset/", {"email": address}) == 202

    message = smtp_server.mailbox.wait_for(address, timeout=MAIL_TIMEOUT_SECONDS)
    assert message is not None, f"no e-mail for {address} within {MAIL_TIMEOUT_SECONDS}s"
    assert "password" in message["Subject"].lower()
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    # The link is built from the request nginx forwarded: its host and port survive the trip.
    assert f"{BASE_URL}/" in body.get_content()

    # The worker, not a web replica, ran the task.
    succeeded = re.compile(
        r"Task nexus\.accounts\.tasks\.send_password_reset_email_to_address\[[\w-]+\] succeeded"
    )
    deadline = time.monotonic() + 10
    while not succeeded.search(worker_log.read_bytes()[log_offset:].decode(errors="replace")):
        assert time.monotonic() < deadline, "the worker's log does not show the task succeeding"
        time.sleep(0.5)


@pytest.mark.usefixtures("topology")
def test_nginx_micro_caches_visitors_pages_and_never_personal_ones():
    statuses = [fetch("/articles/")[2]["X-Cache-Status"] for _ in range(3)]
    personal = [
        fetch("/articles/", {"Cookie": "sessionid=someone"})[2]["X-Cache-Status"],
        fetch("/api/v1/articles/", {"Authorization": "Bearer someone"})[2]["X-Cache-Status"],
    ]
    _, _, health = fetch("/healthz")
    _, _, again = fetch("/healthz")

    assert statuses[0] in {"MISS", "EXPIRED", "HIT"}
    assert statuses[1:] == ["HIT", "HIT"], "within the second, nginx answers"
    assert personal == ["BYPASS", "BYPASS"]
    # Private by default: what no view declared public is never stored.
    assert "private" in health["Cache-Control"]
    assert again["X-Cache-Status"] != "HIT"


@pytest.mark.usefixtures("topology")
def test_a_write_through_nginx_is_visible_to_visitors_within_two_seconds():
    address = f"writer-{uuid.uuid4().hex[:12]}@example.com"
    password = f"Topology-{uuid.uuid4().hex}"
    create_user(address, password)
    token = api_token(address, password)
    title = f"Micro-caching {uuid.uuid4().hex[:8]}"
    fetch("/api/v1/articles/")
    fetch("/articles/")

    request = urllib.request.Request(
        BASE_URL + "/api/v1/articles/",
        data=json.dumps(
            {"title": title, "body": "Cache for a second.", "status": "published"}
        ).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10, context=local_ca_context()) as response:
        assert response.status == 201
    written = time.monotonic()

    # nginx keeps a page "one second" by a clock that ticks in whole seconds (an entry is stale
    # once the second after its expiry has begun): after two seconds it may still hand out the old
    # page, but only as STALE/UPDATING while one request refreshes it, never as a fresh HIT. Judged
    # by what nginx says it served, not by wall-clock time, which a busy machine stretches.
    seen: set[str] = set()
    served_old_as_fresh = []
    while seen != {"/api/v1/articles/", "/articles/"} and time.monotonic() - written < 15:
        for path in ("/api/v1/articles/", "/articles/"):
            sent = time.monotonic() - written
            _, body, headers = fetch(path)
            if title.encode() in body:
                seen.add(path)
            elif sent > 2.05 and headers.get("X-Cache-Status") not in {"STALE", "UPDATING"}:
                served_old_as_fresh.append((path, round(sent, 2), headers.get("X-Cache-Status")))
        time.sleep(0.05)
    assert seen == {"/api/v1/articles/", "/articles/"}, "the new article never showed"
    assert not served_old_as_fresh


# --- HTTPS ----------------------------------------------------------------------------------------


def tls_handshake(context: ssl.SSLContext) -> tuple[str | None, tuple | None]:
    """(protocol, cipher) nginx agreed to on its HTTPS port with a client limited by context."""
    with (
        socket.create_connection(("127.0.0.1", NGINX_TLS_PORT), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        return tls.version(), tls.cipher()


def client_limited_to(version: ssl.TLSVersion, ciphers: str) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=LOCAL_CA)
    # SECLEVEL=0: this client would speak old protocols and weak suites, so a failed handshake
    # is nginx's refusal, not the client's.
    context.set_ciphers(f"{ciphers}:@SECLEVEL=0")
    context.minimum_version = context.maximum_version = version
    return context


@pytest.mark.usefixtures("topology")
def test_https_through_nginx_presents_a_chain_the_local_ca_verifies():
    curl = shutil.which("curl")
    assert curl, "curl is not installed (apt-get install curl; .ci/run installs it)"
    result = subprocess.run(
        [curl, "-sS", "-v", "-o", "/dev/null", "--cacert", str(LOCAL_CA), f"{BASE_URL}/healthz"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    handshake = [
        line
        for line in result.stderr.splitlines()
        if line.startswith(("* ", "< HTTP", "< Strict-Transport-Security"))
        and not line.startswith(("* Connection #", "*   Trying"))
    ]
    assert "*  SSL certificate verify ok." in handshake
    assert any(line.startswith("*  issuer: O=Nexus local; CN=Nexus local CA") for line in handshake)
    assert "< HTTP/1.1 200 OK" in handshake

    # The chain as nginx sends it, and how a client that trusts only the local CA verifies it.
    openssl = subprocess.run(
        [
            *("openssl", "s_client", "-connect", f"127.0.0.1:{NGINX_TLS_PORT}"),
            *("-CAfile", str(LOCAL_CA), "-verify_return_error", "-showcerts"),
        ],
        input="",
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert openssl.returncode == 0, openssl.stderr
    chain = [
        line.rstrip()
        for line in (openssl.stderr + openssl.stdout).splitlines()
        if re.match(r"^(depth=\d| \d s:|   i:|Verification:|Verify return code)", line)
    ]
    assert "Verification: OK" in chain
    figures.report(
        f"HTTPS through the native topology: curl -v --cacert {LOCAL_CA.relative_to(ROOT)} "
        f"{BASE_URL}/healthz\n"
        + "\n".join(f"    {line}" for line in handshake)
        + "\n  the chain (openssl s_client -showcerts -CAfile ca.pem):\n"
        + "\n".join(f"    {line}" for line in chain)
    )


@pytest.mark.usefixtures("topology")
def test_nginx_speaks_tls_1_2_and_1_3_with_forward_secrecy_and_nothing_older():
    agreed = {
        version.name: tls_handshake(client_limited_to(version, "DEFAULT"))
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3)
    }
    assert agreed["TLSv1_2"][0] == "TLSv1.2"
    assert agreed["TLSv1_2"][1][0].startswith("ECDHE-")
    assert agreed["TLSv1_3"][0] == "TLSv1.3"

    refused = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # naming TLS 1.0 and 1.1 is the point
        old_versions = (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1)
        for version in old_versions:
            with pytest.raises(ssl.SSLError) as error:
                tls_handshake(client_limited_to(version, "DEFAULT"))
            refused[version.name] = error.value.reason
    # A suite without forward secrecy, over a protocol nginx does speak.
    with pytest.raises(ssl.SSLError) as error:
        tls_handshake(client_limited_to(ssl.TLSVersion.TLSv1_2, "AES128-SHA"))
    refused["TLSv1_2 AES128-SHA"] = error.value.reason

    assert refused == {
        "TLSv1": "TLSV1_ALERT_PROTOCOL_VERSION",
        "TLSv1_1": "TLSV1_ALERT_PROTOCOL_VERSION",
        "TLSv1_2 AES128-SHA": "SSLV3_ALERT_HANDSHAKE_FAILURE",
    }
    figures.report(
        "TLS on nginx's HTTPS port: "
        + ", ".join(f"{name} agreed {cipher[0]}" for name, (_, cipher) in agreed.items())
        + "; refused: "
        + ", ".join(f"{name} ({reason})" for name, reason in refused.items())
    )


def plain_request(
    method: str, path: str, headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    """One request to nginx's plain-HTTP port, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", NGINX_PORT, timeout=10)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.mark.usefixtures("topology")
def test_plain_http_is_redirected_to_https_except_the_health_probes():
    for method, path in [
        ("GET", "/articles/?page=2"),
        ("GET", "/"),
        ("POST", "/api/v1/auth/token/"),
    ]:
        response = plain_request(method, path)
        assert response.status == 301, (method, path)
        assert response.headers["Location"] == f"{BASE_URL}{path}"
    # Probes stay plain: a load balancer or a script may check health without TLS.
    assert plain_request("GET", "/healthz").status == 200
    assert plain_request("GET", "/readyz").status == 200
    assert plain_request("GET", "/metrics").status == 301


@pytest.mark.usefixtures("topology")
def test_hsts_comes_with_https_answers_and_a_forged_scheme_header_is_not_believed():
    # Django sends HSTS exactly when it believes the request came over HTTPS (request.is_secure()),
    # which behind nginx means X-Forwarded-Proto: https: so the header tells what the app believed.
    hsts = "max-age=31536000; includeSubDomains; preload"
    for path in ["/healthz", "/articles/"]:
        assert fetch(path)[2].get("Strict-Transport-Security") == hsts, path
    plain = plain_request("GET", "/healthz")
    forged = plain_request("GET", "/healthz", {"X-Forwarded-Proto": "https"})
    assert plain.status == forged.status == 200
    assert plain.headers["Strict-Transport-Security"] is None
    assert forged.headers["Strict-Transport-Security"] is None, (
        "the client's scheme header got through"
    )


@pytest.mark.usefixtures("topology")
def test_session_and_csrf_cookies_are_secure_and_travel_over_https():
    address = f"cookies-{uuid.uuid4().hex[:12]}@example.com"
    password = f"Topology-{uuid.uuid4().hex}"
    create_user(address, password)
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=local_ca_context()),
        urllib.request.HTTPCookieProcessor(jar),
    )
    with browser.open(f"{BASE_URL}/accounts/login/", timeout=10) as response:
        form = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, "no CSRF token in the login form"
    login = urllib.request.Request(
        f"{BASE_URL}/accounts/login/",
        data=urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token[1], "username": address, "password": password}
        ).encode(),
        headers={"Referer": f"{BASE_URL}/accounts/login/"},
        method="POST",
    )
    with browser.open(login, timeout=10) as response:
        assert response.status == 200
        assert urllib.parse.urlsplit(response.url).path != "/accounts/login/", "not signed in"
    cookies = {cookie.name: cookie for cookie in jar}
    assert {"sessionid", "csrftoken"} <= set(cookies)
    assert cookies["sessionid"].secure
    assert cookies["csrftoken"].secure
    assert cookies["sessionid"].has_nonstandard_attr("HttpOnly")
