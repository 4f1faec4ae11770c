"""Receipts: the payer of a succeeded payment hears of it by e-mail, with what it was for."""

from django.db import transaction

from nexus.core import events
from nexus.core.models import OutboxEvent
from nexus.payments import selectors
from nexus.payments.models import Payment, PaymentStatus

RECEIPT = "payment.receipt"


def payment_receipt_send(*, payment: Payment) -> bool:
    """Announce the receipt for a succeeded payment once; False when there is nothing to send."""
    if payment.status != PaymentStatus.SUCCEEDED:
        return False
    with transaction.atomic():
        # Events are delivered at least once: the receipt already announced is not sent again.
        already = OutboxEvent.objects.filter(
            name=RECEIPT, subject_type="payments.payment", subject_id=str(payment.pk)
        )
        if already.exists():
            return False
        when = (payment.verified_at or payment.updated_at).strftime("%d %b %Y")
        label = selectors.purpose_label(payment)
        title = (
            f"Receipt: {payment.amount} {payment.currency} paid for {label} "
            f"(ref. {payment.tx_ref}, {when})"
        )
        events.publish(
            RECEIPT,
            subject=payment,
            payload={
                "title": title[:300],
                "url": "/payments/",
                "recipient_ids": [payment.payer_id],
                "tx_ref": payment.tx_ref,
                "amount": str(payment.amount),
                "currency": payment.currency,
                "purpose": payment.purpose,
            },
        )
    return True
