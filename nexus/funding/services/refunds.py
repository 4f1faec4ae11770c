"""Refunds of expired bounties through Chapa, for sponsors who chose a refund over credit.

The ledger moves first (wallet:sponsor → world, "refund:bounty:<id>") and Chapa is asked inside
the same savepoint: if Chapa refuses, the movement is rolled back and the money stays the
sponsor's credit, with the reason on the bounty. Money never leaves the ledger without Chapa's yes.
"""

from django.db import transaction

from nexus.core import clock
from nexus.funding.models import Bounty, BountyStatus, OnExpiry
from nexus.payments import chapa
from nexus.payments.ledger import InsufficientFunds, ledger_move, system_account, wallet_account
from nexus.payments.models import EntryKind

CREDIT_USED = "Your credit was used before the refund, so it stays credit: nothing was refunded."


def bounty_refund(*, bounty_id: int) -> Bounty | None:
    """Refund an expired bounty's money to its sponsor's card, once; a refusal keeps it credit."""
    with transaction.atomic():
        bounty = (
            Bounty.objects.select_for_update(of=("self",))
            .select_related("payment", "sponsor")
            .filter(pk=bounty_id)
            .first()
        )
        if (
            bounty is None
            or bounty.status != BountyStatus.EXPIRED
            or bounty.on_expiry != OnExpiry.REFUND
            or bounty.refunded_at is not None
            or bounty.payment is None
        ):
            return bounty
        try:
            with transaction.atomic():
                ledger_move(
                    kind=EntryKind.REFUND,
                    source=wallet_account(bounty.sponsor, currency=bounty.currency),
                    destination=system_account("world", currency=bounty.currency),
                    amount=bounty.amount,
                    key=f"refund:bounty:{bounty.pk}",
                    memo=f"Refund of expired bounty {bounty.pk}",
                    payment=bounty.payment,
                )
                chapa.refund(
                    tx_ref=bounty.payment.tx_ref,
                    amount=bounty.amount,
                    reason=f"Nexus bounty {bounty.pk} expired unawarded",
                )
        except InsufficientFunds:
            bounty.status_reason = CREDIT_USED
        except chapa.ChapaError as refused:
            bounty.status_reason = (
                f"Chapa did not refund it ({refused.message}); the money is your Nexus credit."
            )[:300]
        else:
            bounty.refunded_at = clock.now()
            bounty.status_reason = ""
        bounty.save(update_fields=["refunded_at", "status_reason", "updated_at"])
        return bounty
