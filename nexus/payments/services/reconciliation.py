"""The reconciliation run (Celery beat, every 5 minutes): what webhooks and return pages missed.

It verifies the pending payments whose next verification has come, ends the abandoned ones, and
checks every payment settled in the last day three ways — the Payment, Chapa's record and the
ledger's charge entry must agree — raising an alert for any that do not. Running it twice changes
nothing the first run did not (alerts repeat until someone resolves the mismatch).
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Sum
from prometheus_client import Counter

from nexus.core import clock, events
from nexus.payments import chapa
from nexus.payments.models import EntryKind, LedgerEntry, Payment, PaymentStatus
from nexus.payments.services.charges import payment_confirm, payment_end_if_abandoned

logger = logging.getLogger(__name__)

AUDIT_WINDOW = timedelta(days=1)
BATCH = 200

mismatches_counter = Counter(
    "payments_reconciliation_mismatches",
    "Succeeded payments whose amount, Chapa's record and the ledger disagree",
)


@dataclass
class Reconciliation:
    verified: int = 0
    expired: int = 0
    audited: int = 0
    mismatches: list[str] = field(default_factory=list)


def payments_reconcile() -> Reconciliation:
    """One reconciliation run: verify what is due, end what was abandoned, audit the last day."""
    result = Reconciliation()
    now = clock.now()
    abandoned_before = now - timedelta(seconds=settings.PAYMENTS_ABANDON_AFTER_SECONDS)
    pending = Payment.objects.filter(status=PaymentStatus.PENDING)
    for payment in pending.filter(created_at__lte=abandoned_before).order_by("pk")[:BATCH]:
        if payment_end_if_abandoned(payment=payment).status == PaymentStatus.EXPIRED:
            result.expired += 1
    due = pending.filter(created_at__gt=abandoned_before, next_verify_at__lte=now)
    for tx_ref in due.order_by("next_verify_at").values_list("tx_ref", flat=True)[:BATCH]:
        payment_confirm(tx_ref=tx_ref)
        result.verified += 1
    settled = Payment.objects.filter(
        status=PaymentStatus.SUCCEEDED, verified_at__gte=now - AUDIT_WINDOW
    )
    for payment in settled.order_by("pk").iterator():
        result.audited += 1
        problem = _disagreement(payment)
        if problem:
            _alert(payment, problem)
            result.mismatches.append(payment.tx_ref)
    return result


def _disagreement(payment: Payment) -> str:
    charged = LedgerEntry.objects.filter(payment=payment, kind=EntryKind.CHARGE).aggregate(
        total=Sum("amount")
    )["total"]
    if charged != payment.amount:
        return f"the ledger's charge is {charged}, the payment {payment.amount}"
    try:
        record = chapa.verify(payment.tx_ref)
    except chapa.ChapaError as error:
        if error.retryable:
            return ""  # asked again on the next run
        return f"Chapa no longer knows it: {error.message}"
    if record.status != chapa.SUCCESS:
        return f"Chapa now says {record.status}"
    if record.amount != payment.amount or record.currency != payment.currency:
        return (
            f"Chapa says {record.amount} {record.currency}, "
            f"we have {payment.amount} {payment.currency}"
        )
    return ""


def _alert(payment: Payment, problem: str) -> None:
    logger.error("reconciliation: payment %s disagrees: %s", payment.tx_ref, problem)
    mismatches_counter.inc()
    events.publish(
        "payment.reconciliation_mismatch",
        subject=payment,
        payload={"tx_ref": payment.tx_ref, "problem": problem[:300]},
    )
