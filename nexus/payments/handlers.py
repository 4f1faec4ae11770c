"""What payments does when its own events come out of the outbox."""

from nexus.core import events
from nexus.core.models import OutboxEvent
from nexus.payments.models import ChapaEvent, Payment
from nexus.payments.services.charges import payment_confirm
from nexus.payments.webhooks import chapa_event_process, register_event_handler


@events.subscriber("chapa.webhook_received")
def process_chapa_webhook(event: OutboxEvent) -> None:
    """Hand a stored webhook to the handler of its prefix (idempotent: processed once)."""
    chapa_event_process(event_id=int(event.subject_id))


def confirm_charge(stored: ChapaEvent) -> str:
    """A charge webhook only says "ask Chapa": payment_confirm verifies and settles once."""
    if not Payment.objects.filter(tx_ref=stored.reference).exists():
        return f"no payment {stored.reference}"
    return f"payment {payment_confirm(tx_ref=stored.reference).status}"


# Registered here because handlers.py is imported at start-up (core's autodiscovery).
register_event_handler("charge.", confirm_charge)
