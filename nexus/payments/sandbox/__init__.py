"""A local Chapa: the same API contract, a checkout page with Pay / Cancel / Fail buttons, signed
webhooks with retries, transfers and refunds — for tests, the browser flow, `make run` and compose,
where Chapa itself cannot be reached. docs/payments.md says what is faithful and what is not.

`start()` runs it in a background thread of this process; `python -m nexus.payments.sandbox` runs
it alone.
"""

import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from nexus.payments.sandbox.app import App
from nexus.payments.sandbox.state import Sandbox


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Tests and `make run` do not need a line per request."""


class SandboxServer:
    """A running test server: its base `url`, its `sandbox` state, and `stop()`."""

    def __init__(self, sandbox: Sandbox, host: str, port: int) -> None:
        self.sandbox = sandbox
        self._server = make_server(
            host, port, App(sandbox), server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.host = host
        self.port = self._server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        sandbox.base_url = self.url
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="chapa-sandbox", daemon=True
        )

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def start(self) -> "SandboxServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.sandbox.released.set()
        self._server.shutdown()
        self._server.server_close()


def start(
    *,
    secret_key: str,
    webhook_secret: str,
    webhook_url: str = "",
    host: str = "127.0.0.1",
    port: int = 0,
    retry_delays: tuple[float, ...] = (1.0, 5.0, 25.0),
    timeout_hold_seconds: float = 30.0,
    public_url: str = "",
) -> SandboxServer:
    """Start the test server in a background thread (port 0: any free port)."""
    sandbox = Sandbox(
        secret_key=secret_key,
        webhook_secret=webhook_secret,
        webhook_url=webhook_url,
        retry_delays=retry_delays,
        timeout_hold_seconds=timeout_hold_seconds,
    )
    server = SandboxServer(sandbox, host, port)
    if public_url:
        # Behind compose the browser reaches it by another name than the one it listens on.
        sandbox.base_url = public_url.rstrip("/")
    return server.start()
