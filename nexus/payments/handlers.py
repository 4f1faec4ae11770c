"""Reactions to payments' own events: a succeeded payment's receipt to its payer."""

from nexus.core import events
from nexus.core.models import OutboxEvent
from nexus.payments.models import Payment
from nexus.payments.services.receipts import payment_receipt_send


@events.subscriber("payment.succeeded")
def send_receipt(event: OutboxEvent) -> None:
    payment = Payment.objects.filter(pk=event.subject_id).first()
    if payment is not None:
        payment_receipt_send(payment=payment)
