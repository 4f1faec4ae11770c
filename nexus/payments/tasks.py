"""Payments' background work: sending payouts and following them until Chapa settles them."""

from celery import shared_task

from nexus.payments.services import payouts


@shared_task(max_retries=3, acks_late=True)
def send_payout(payout_id: int) -> str:
    """Hand one queued payout to Chapa's transfer API (a repeat finds it sent and does nothing)."""
    return payouts.payout_send(payout_id=payout_id).status


@shared_task(max_retries=0)
def advance_payouts() -> int:
    """Periodic (every minute): retries that are due, lost sends, and transfers to ask about."""
    return payouts.payouts_advance()
