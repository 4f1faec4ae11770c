"""The Chapa client under faults: what may be retried says so, what may not says why, and the test
server plays its part over HTTP (checkout page, webhooks with retries, the callback, control API)."""

import http.client
import json
import socket
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from nexus.payments import chapa
from tests.chapa import CLIENT_TIMEOUT_SECONDS


def start_checkout(tx_ref: str, *, callback_url: str = "", return_url: str = "") -> str:
    return chapa.initialize(
        tx_ref=tx_ref,
        amount=Decimal("100.00"),
        currency="ETB",
        email="payer@example.com",
        first_name="Abebe",
        last_name="Kebede",
        callback_url=callback_url,
        return_url=return_url,
        title="Nexus bounty",
        description="A bounty on a challenge",
    ).checkout_url


def eventually(condition, seconds: float = 15.0) -> None:
    """Wait for the test server's background threads (webhook retries, the callback)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def refusal(call) -> chapa.ChapaError:
    with pytest.raises(chapa.ChapaError) as caught:
        call()
    return caught.value


class Receiver:
    """A merchant server on a free port: records requests, answers webhooks (POSTs) from a script
    of statuses; the callback (a GET, racing the webhook) is always answered 200."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                receiver.requests.append((self.command, self.path, dict(self.headers), body))
                scripted = self.command == "POST" and receiver.statuses
                status = receiver.statuses.pop(0) if scripted else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                receiver.arrived.set()

            do_GET = do_POST = _answer

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def make(statuses: list[int] | None = None) -> Receiver:
        made.append(Receiver(statuses or []))
        return made[-1]

    yield make
    for each in made:
        each.stop()


# -- faults the caller may retry ---------------------------------------------------------------


def test_a_verify_that_times_out_is_retryable(chapa_sandbox):
    chapa_sandbox.fault("verify", "timeout")
    started = time.monotonic()

    error = refusal(lambda: chapa.verify("nx-anything"))

    assert error.retryable
    assert error.status is None
    assert time.monotonic() - started < CLIENT_TIMEOUT_SECONDS * 2.5
    print(
        f"verify gave up after {time.monotonic() - started:.2f}s (timeout {CLIENT_TIMEOUT_SECONDS}s)"
    )


def test_a_500_is_retryable_and_the_next_call_succeeds(chapa_sandbox):
    start_checkout("nx-after-500")
    chapa_sandbox.fault("verify", "500")

    error = refusal(lambda: chapa.verify("nx-after-500"))

    assert (error.status, error.retryable) == (500, True)
    assert chapa.verify("nx-after-500").status == chapa.PENDING


def test_a_fault_lasts_as_many_calls_as_asked(chapa_sandbox):
    chapa_sandbox.fault("initialize", "500", times=2)

    first = refusal(lambda: start_checkout("nx-twice"))
    second = refusal(lambda: start_checkout("nx-twice"))

    assert first.retryable
    assert second.retryable
    assert start_checkout("nx-twice")


def test_an_html_page_instead_of_json_is_retryable(chapa_sandbox):
    chapa_sandbox.fault("banks", "html")

    error = refusal(chapa.banks)

    assert (error.status, error.retryable) == (502, True)
    assert "JSON" in error.message


def test_a_refused_connection_is_retryable(settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.CHAPA_BASE_URL = f"http://127.0.0.1:{port}"
    settings.CHAPA_SECRET_KEY = "CHASECK_TEST-x"
    settings.CHAPA_WEBHOOK_SECRET = "w"

    error = refusal(lambda: chapa.verify("nx-anything"))

    assert error.retryable
    assert error.status is None


# -- refusals the caller must not retry ---------------------------------------------------------


def test_a_400_is_not_retryable(chapa_sandbox):
    chapa_sandbox.fault("transfer", "400")

    error = refusal(
        lambda: chapa.transfer(
            reference="nx-payout-1",
            amount=Decimal("5.00"),
            currency="ETB",
            bank_code="901",
            account_name="Abebe Kebede",
            account_number="1000123456789",
        )
    )

    assert (error.status, error.retryable) == (400, False)


def test_without_settings_chapa_is_not_configured(settings):
    settings.CHAPA_SECRET_KEY = ""

    assert not chapa.chapa_configured()
    assert not refusal(chapa.banks).retryable


@pytest.mark.parametrize("base_url", ["ftp://127.0.0.1:21", "file:///etc/passwd", "127.0.0.1:8765"])
def test_a_base_url_that_is_not_http_is_refused(chapa_sandbox, settings, base_url):
    settings.CHAPA_BASE_URL = base_url

    error = refusal(chapa.banks)

    assert not error.retryable
    assert "http" in error.message


def test_production_requires_https_except_on_loopback(chapa_sandbox, settings):
    settings.PRODUCTION = True

    assert chapa.banks()  # the sandbox on 127.0.0.1 over http is allowed
    settings.CHAPA_BASE_URL = "http://chapa.example.com"
    settings.CHAPA_SECRET_KEY = "CHASECK-a-live-key"
    error = refusal(chapa.banks)

    assert not error.retryable
    assert "https" in error.message


def test_production_allows_a_test_key_over_http_to_the_compose_test_server(chapa_sandbox, settings):
    settings.PRODUCTION = True
    settings.CHAPA_BASE_URL = "http://192.0.2.1:8765"  # TEST-NET-1: no route, no DNS lookup

    error = refusal(chapa.banks)  # refused by the network, not by the https rule

    assert error.retryable


def test_the_secret_key_never_appears_in_an_error(chapa_sandbox, settings):
    for mode in ("500", "400", "html"):
        chapa_sandbox.fault("banks", mode)
        assert settings.CHAPA_SECRET_KEY not in str(refusal(chapa.banks))


# -- the test server over HTTP: checkout, callback, webhooks, control API ------------------------


def test_the_checkout_page_offers_labelled_buttons(chapa_sandbox):
    checkout_url = start_checkout("nx-page")
    parts = urlsplit(checkout_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("GET", parts.path)
    response = connection.getresponse()
    page = response.read().decode()

    assert response.status == 200
    for label in ("Pay", "Cancel", "Fail"):
        assert f">{label}</button>" in page
    assert "100.00 ETB" in page
    assert '<html lang="en">' in page


def test_pressing_pay_redirects_calls_back_and_delivers_a_signed_webhook(chapa_sandbox, receiver):
    merchant = receiver([500, 200])  # the first webhook attempt fails: it is retried
    chapa_sandbox.webhook_url = f"{merchant.url}/api/v1/payments/chapa/webhook/"
    checkout_url = start_checkout(
        "nx-pressed",
        callback_url=f"{merchant.url}/callback/",
        return_url="http://127.0.0.1:9/payments/",
    )
    parts = urlsplit(checkout_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("POST", f"{parts.path}/pay")
    response = connection.getresponse()

    assert response.status == 302
    assert response.getheader("Location") == "http://127.0.0.1:9/payments/"
    [delivery] = chapa_sandbox.deliveries
    eventually(lambda: delivery.status != "queued" and len(merchant.requests) >= 3)
    posts = [request for request in merchant.requests if request[0] == "POST"]
    gets = [request for request in merchant.requests if request[0] == "GET"]
    assert len(posts) == 2
    assert posts[0][3] == posts[1][3]  # the retry sends the same signed bytes
    headers = {key.lower(): value for key, value in posts[1][2].items()}
    assert chapa.signature_valid(
        posts[1][3], headers["x-chapa-signature"], chapa_sandbox.webhook_secret
    )
    assert "chapa-signature" in headers
    assert (delivery.status, delivery.attempts, delivery.last_response) == ("delivered", 2, 200)
    [callback] = gets
    query = parse_qs(urlsplit(callback[1]).query)
    assert query["trx_ref"] == ["nx-pressed"]
    assert query["status"] == ["success"]
    assert query["ref_id"] == [json.loads(delivery.body)["reference"]]


def test_a_webhook_nobody_accepts_ends_failed_after_its_retries(chapa_sandbox, receiver):
    merchant = receiver([503, 503, 503, 503, 503])
    chapa_sandbox.webhook_url = merchant.url
    start_checkout("nx-unheard")
    chapa_sandbox.pay("nx-unheard")

    [delivery] = chapa_sandbox.deliveries
    eventually(lambda: delivery.status != "queued")

    assert (delivery.status, delivery.attempts, delivery.last_response) == ("failed", 4, 503)


def test_cancel_shows_a_way_back_instead_of_redirecting(chapa_sandbox):
    checkout_url = start_checkout("nx-cancel-page", return_url="http://127.0.0.1:9/back/")
    parts = urlsplit(checkout_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("POST", f"{parts.path}/cancel")
    response = connection.getresponse()
    page = response.read().decode()

    assert response.status == 200
    assert "Payment cancelled" in page
    assert 'href="http://127.0.0.1:9/back/"' in page


def test_the_control_api_needs_the_key_and_injects_faults(chapa_sandbox):
    parts = urlsplit(chapa_sandbox.url)

    def control(path: str, body: dict, key: str) -> int:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        connection.request(
            "POST",
            f"/_sandbox/{path}",
            body=json.dumps(body),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        return connection.getresponse().status

    assert control("fault", {"endpoint": "banks", "mode": "500"}, "wrong") == 401
    assert control("fault", {"endpoint": "nowhere", "mode": "500"}, chapa_sandbox.secret_key) == 400
    assert control("fault", {"endpoint": "banks", "mode": "500"}, chapa_sandbox.secret_key) == 200
    assert refusal(chapa.banks).status == 500
    assert chapa.banks()


def test_webhooks_are_delivered_through_a_django_client(db, chapa_sandbox, client):
    start_checkout("nx-through-django")
    chapa_sandbox.pay("nx-through-django")

    responses = chapa_sandbox.deliver_to(client, path="/healthz")
    again = chapa_sandbox.deliver_to(client, path="/healthz")

    assert len(responses) == 1
    assert again == []
    assert chapa_sandbox.deliveries[0].attempts == 1


def test_a_signature_header_with_characters_no_hex_digest_holds_is_simply_wrong():
    from nexus.payments import chapa

    assert chapa.signature_valid(b"{}", "\u00e9t\u00e9", "secret") is False
    assert chapa.signature_valid(b"{}", chapa.sign(b"{}", "secret").upper(), "secret") is True


def test_pages_let_a_payment_form_lead_to_the_checkout_and_nowhere_else(db, client, chapa_sandbox):
    policy = client.get("/").headers["Content-Security-Policy"]

    form_action = next(d for d in policy.split("; ") if d.startswith("form-action"))
    assert form_action.split()[1:] == ["'self'", chapa_sandbox.url]


def test_chapa_itself_sends_payers_to_its_hosted_checkout(settings):
    settings.CHAPA_SECRET_KEY, settings.CHAPA_WEBHOOK_SECRET = "CHASECK_TEST-x", "hash"
    settings.CHAPA_BASE_URL = "https://api.chapa.co"

    assert chapa.checkout_origins() == ["https://checkout.chapa.co"]
    settings.CHAPA_BASE_URL = ""
    assert chapa.checkout_origins() == []
