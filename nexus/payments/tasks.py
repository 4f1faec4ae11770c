from celery import shared_task

from nexus.payments.services import charges, reconciliation


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
