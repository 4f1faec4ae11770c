"""The `chapa_sandbox` fixture: the local Chapa test server (nexus/payments/sandbox) for a test.

One server per test session and xdist worker, on a free 127.0.0.1 port; every test that asks for
the fixture gets it reset, with the CHAPA_* settings pointing at it. In tests nothing listens for
webhooks on a port: they queue, and `deliver_to(client)` POSTs them through a Django test client.
A live-server (browser) test sets `webhook_url` and the server delivers over HTTP, with retries.
"""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from nexus.payments import sandbox as chapa_test_server
from nexus.payments.sandbox.state import Delivery

SECRET_KEY = "CHASECK_TEST-nexus-sandbox-secret"
WEBHOOK_SECRET = "nexus-sandbox-webhook-secret"
WEBHOOK_PATH = "/api/v1/payments/chapa/webhook/"
# Long enough for a loaded two-core machine, short enough that a timeout test stays quick.
CLIENT_TIMEOUT_SECONDS = 1.0


class ChapaSandbox:
    """What a test does with the test server: press the checkout buttons, inject faults, read and
    deliver the signed webhooks."""

    def __init__(self, server: chapa_test_server.SandboxServer) -> None:
        self.server = server
        self.state = server.sandbox
        self.url = server.url
        self.secret_key = SECRET_KEY
        self.webhook_secret = WEBHOOK_SECRET

    def pay(self, tx_ref: str) -> None:
        self.state.settle(tx_ref, "success")

    def cancel(self, tx_ref: str) -> None:
        self.state.settle(tx_ref, "cancelled")

    def fail(self, tx_ref: str) -> None:
        self.state.settle(tx_ref, "failed")

    def fault(self, endpoint: str, mode: str, times: int = 1) -> None:
        """The next `times` calls to `endpoint` time out, answer 500 or 400 (or an HTML page)."""
        self.state.add_fault(endpoint, mode, times)

    def tamper(
        self, tx_ref: str, amount: Decimal | str | None = None, currency: str | None = None
    ) -> None:
        """Chapa's record of the charge now disagrees with what was asked for."""
        self.state.tamper(tx_ref, Decimal(str(amount)) if amount is not None else None, currency)

    def fail_transfers(self, times: int = 1) -> None:
        self.state.fail_transfers(times)

    def transaction(self, tx_ref: str) -> dict[str, Any]:
        return self.state.transactions[tx_ref]

    @property
    def deliveries(self) -> list[Delivery]:
        return list(self.state.deliveries)

    @property
    def webhook_url(self) -> str:
        return self.state.webhook_url

    @webhook_url.setter
    def webhook_url(self, url: str) -> None:
        self.state.webhook_url = url

    def deliver_to(self, client: Any, path: str = WEBHOOK_PATH) -> list[Any]:
        """POST every queued webhook through a Django test client; the responses, in order."""
        responses = []
        for delivery in self.deliveries:
            if delivery.status != "queued":
                continue
            extra = {k: v for k, v in delivery.headers.items() if k.lower() != "content-type"}
            response = client.post(
                path, data=delivery.body, content_type="application/json", headers=extra
            )
            delivery.attempts += 1
            delivery.last_response = response.status_code
            delivery.status = "delivered" if 200 <= response.status_code < 300 else "failed"
            responses.append(response)
        return responses


@pytest.fixture(scope="session")
def _chapa_test_server() -> Iterator[chapa_test_server.SandboxServer]:
    server = chapa_test_server.start(
        secret_key=SECRET_KEY,
        webhook_secret=WEBHOOK_SECRET,
        retry_delays=(0.05, 0.1, 0.2),
        timeout_hold_seconds=CLIENT_TIMEOUT_SECONDS * 3,
    )
    yield server
    server.stop()


@pytest.fixture
def chapa_sandbox(
    _chapa_test_server: chapa_test_server.SandboxServer, settings: Any
) -> Iterator[ChapaSandbox]:
    """The local Chapa, reset, with CHAPA_* pointing at it for this test."""
    _chapa_test_server.sandbox.reset()
    _chapa_test_server.sandbox.webhook_url = ""
    settings.CHAPA_SECRET_KEY = SECRET_KEY
    settings.CHAPA_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.CHAPA_BASE_URL = _chapa_test_server.url
    settings.CHAPA_TIMEOUT_SECONDS = CLIENT_TIMEOUT_SECONDS
    yield ChapaSandbox(_chapa_test_server)
    _chapa_test_server.sandbox.reset()
