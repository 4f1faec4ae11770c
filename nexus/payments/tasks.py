"""Payments' background work: confirming charges, reconciling with Chapa, sending payouts and
following them until Chapa settles them."""

from celery import shared_task

from nexus.payments.services import charges, payouts, reconciliation


@shared_task(acks_late=True)
def confirm_payment(tx_ref: str) -> str:
    """Verify one payment with Chapa and settle it once (Chapa's callback ping enqueues it)."""
    return charges.payment_confirm(tx_ref=tx_ref).status


@shared_task
def reconcile_payments() -> dict[str, int]:
    """Verify what is due, expire the abandoned, audit the last day (beat, every 5 minutes)."""
    result = reconciliation.payments_reconcile()
    return {
        "verified": result.verified,
        "expired": result.expired,
        "audited": result.audited,
        "mismatches": len(result.mismatches),
    }


@shared_task(max_retries=3, acks_late=True)
def send_payout(payout_id: int) -> str:
    """Hand one queued payout to Chapa's transfer API (a repeat finds it sent and does nothing)."""
    return payouts.payout_send(payout_id=payout_id).status


@shared_task(max_retries=0)
def advance_payouts() -> int:
    """Periodic (every minute): retries that are due, lost sends, and transfers to ask about."""
    return payouts.payouts_advance()
