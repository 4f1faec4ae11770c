"""Nexus as the webhook load test runs it: the project's own WSGI and Celery apps, plus the one
purpose the load test pays for (features register theirs at start-up; the benchmark is its own
feature). `granian ... bench.webhook_app:application` and `celery -A bench.webhook_app worker`."""

from nexus.celery import app
from nexus.wsgi import application  # sets Django up

PURPOSE = "bench-webhooks"


def _nothing(payment: object) -> None:
    """The money stays in the payer's wallet: the benchmark measures the charge, not a feature."""


def _register() -> None:
    # Payments' models load only once Django is set up (by the import of nexus.wsgi above).
    from nexus.payments.purposes import Purpose, register_purpose

    register_purpose(
        Purpose(
            name=PURPOSE,
            on_paid=_nothing,
            on_failed=_nothing,
            return_path=lambda payment: "/",
            label=lambda payment: "Load test",
        )
    )


_register()

__all__ = ["PURPOSE", "app", "application"]
