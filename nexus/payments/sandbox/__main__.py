"""The Chapa test server alone:

python -m nexus.payments.sandbox --port 8765 --secret-key K --webhook-secret S --webhook-url URL
"""

import argparse
import contextlib
import os

from nexus.payments.sandbox import SandboxServer
from nexus.payments.sandbox.state import Sandbox


def main() -> None:
    parser = argparse.ArgumentParser(description="A local Chapa test server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--secret-key", default=os.environ.get("CHAPA_SECRET_KEY", ""))
    parser.add_argument("--webhook-secret", default=os.environ.get("CHAPA_WEBHOOK_SECRET", ""))
    parser.add_argument("--webhook-url", default=os.environ.get("CHAPA_SANDBOX_WEBHOOK_URL", ""))
    parser.add_argument(
        "--public-url",
        default=os.environ.get("CHAPA_SANDBOX_PUBLIC_URL", ""),
        help="the base URL browsers reach this server by (checkout links), if not --host:--port",
    )
    options = parser.parse_args()
    if not options.secret_key or not options.webhook_secret:
        parser.error("--secret-key and --webhook-secret are required (or CHAPA_* variables)")
    sandbox = Sandbox(
        secret_key=options.secret_key,
        webhook_secret=options.webhook_secret,
        webhook_url=options.webhook_url,
    )
    server = SandboxServer(sandbox, options.host, options.port)
    if options.public_url:
        sandbox.base_url = options.public_url.rstrip("/")
    print(f"Chapa test server on {server.url} (webhooks to {options.webhook_url or 'nowhere'})")
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
