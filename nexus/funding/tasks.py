"""Funding's background work: each task takes ids and is safe to run twice."""

from celery import shared_task

from nexus.funding.services import bounties, refunds


@shared_task(max_retries=3)
def expire_due_bounties() -> int:
    """Hourly: give every open bounty past its expiry back to its sponsor."""
    return bounties.bounties_expire_due()


@shared_task(max_retries=3)
def refund_expired_bounty(bounty_id: int) -> bool:
    """Refund an expired bounty through Chapa when its sponsor asked for a refund."""
    bounty = refunds.bounty_refund(bounty_id=bounty_id)
    return bool(bounty and bounty.refunded_at)
