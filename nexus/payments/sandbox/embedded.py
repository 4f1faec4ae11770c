"""`make run` in embedded mode: the local Chapa starts beside Nexus when no Chapa is configured,
so payments work on a laptop with no keys and no internet (docs/payments.md)."""

import os

from django.conf import settings

from nexus.core.companions import register_companion
from nexus.payments.sandbox import SandboxServer, start

# Fixed like the embedded SECRET_KEY: they guard nothing but a local test server.
EMBEDDED_SECRET_KEY = "CHASECK_TEST-nexus-embedded-sandbox"
EMBEDDED_WEBHOOK_SECRET = "nexus-embedded-sandbox-webhook-secret"
WEBHOOK_PATH = "/api/v1/payments/chapa/webhook/"
CHAPA_VARIABLES = ("CHAPA_BASE_URL", "CHAPA_SECRET_KEY", "CHAPA_WEBHOOK_SECRET")


def wanted() -> bool:
    """Embedded mode and no CHAPA_* set by the operator."""
    return not settings.PRODUCTION and not any(
        getattr(settings, name) or os.environ.get(name) for name in CHAPA_VARIABLES
    )


def start_if_wanted(nexus_url: str) -> str | None:
    """The companion `manage.py serve` runs (registered in PaymentsConfig.ready)."""
    if not wanted():
        return None
    server = start_beside_nexus(nexus_url)
    return f"Chapa test server on {server.url} (no CHAPA_* set; no money moves)"


def start_beside_nexus(nexus_url: str) -> SandboxServer:
    """Start the test server on a free loopback port; point this process and the server's workers
    (which read settings from the environment) at it."""
    server = start(
        secret_key=EMBEDDED_SECRET_KEY,
        webhook_secret=EMBEDDED_WEBHOOK_SECRET,
        webhook_url=nexus_url.rstrip("/") + WEBHOOK_PATH,
    )
    chosen = {
        "CHAPA_BASE_URL": server.url,
        "CHAPA_SECRET_KEY": EMBEDDED_SECRET_KEY,
        "CHAPA_WEBHOOK_SECRET": EMBEDDED_WEBHOOK_SECRET,
    }
    if not os.environ.get("NEXUS_BASE_URL"):
        # Chapa's return and callback URLs are built on it: they must reach this server's port.
        chosen["NEXUS_BASE_URL"] = nexus_url.rstrip("/")
    for name, value in chosen.items():
        os.environ[name] = value
        setattr(settings, name, value)
    return server


register_companion(start_if_wanted)
