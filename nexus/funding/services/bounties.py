"""A bounty's life after its payment: held, awarded to an accepted answer's author, or expired
back to its sponsor (as credit, or refunded through Chapa)."""

from datetime import datetime, timedelta

from django.db import transaction

from nexus.challenges import selectors as challenge_selectors
from nexus.challenges.models import Solution
from nexus.core import clock, events, taskqueue
from nexus.funding.models import Bounty, BountyStatus, OnExpiry
from nexus.payments.ledger import hold_account, ledger_move, wallet_account
from nexus.payments.models import EntryKind, LedgerAccount, Payment


def _hold(bounty: Bounty) -> LedgerAccount:
    return hold_account("bounty", bounty.pk, currency=bounty.currency)


def _locked(bounty_id: int) -> Bounty | None:
    return (
        Bounty.objects.select_for_update(of=("self",))
        .select_related("challenge")
        .filter(pk=bounty_id)
        .first()
    )


def bounty_paid(*, payment: Payment) -> Bounty | None:
    """The payer's money moves from their credit to the bounty's hold; the bounty opens and its
    clock starts now (a slow checkout does not eat the sponsor's days). Runs in the transaction
    that credited the charge. A bounty whose checkout was given up and paid after all opens too."""
    bounty = _locked(int(payment.purpose_id))
    if bounty is None or bounty.status not in (
        BountyStatus.PENDING_PAYMENT,
        BountyStatus.CANCELLED,
    ):
        return bounty
    ledger_move(
        kind=EntryKind.HOLD,
        source=wallet_account(payment.payer, currency=bounty.currency),
        destination=_hold(bounty),
        amount=bounty.amount,
        key=f"hold:bounty:{bounty.pk}",
        memo=f"Bounty on “{bounty.challenge.title}”",
        payment=payment,
    )
    bounty.status = BountyStatus.OPEN
    bounty.expires_at = clock.now() + timedelta(days=bounty.duration_days)
    bounty.closed_at = None
    bounty.status_reason = ""
    bounty.save(update_fields=["status", "expires_at", "closed_at", "status_reason", "updated_at"])
    return bounty


def bounty_payment_failed(*, payment: Payment, reason: str = "") -> Bounty | None:
    """A payment that ended without money cancels the bounty it was for (nothing was held)."""
    bounty = _locked(int(payment.purpose_id))
    if bounty is None or bounty.status != BountyStatus.PENDING_PAYMENT:
        return bounty
    bounty.status = BountyStatus.CANCELLED
    bounty.status_reason = (reason or payment.status_reason or "The payment did not go through.")[
        :300
    ]
    bounty.closed_at = clock.now()
    bounty.save(update_fields=["status", "status_reason", "closed_at", "updated_at"])
    return bounty


def bounties_award(*, challenge_id: int, solution_id: int, accepted_at: datetime) -> list[Bounty]:
    """Award every open bounty of a challenge to the author of the answer accepted at
    `accepted_at`, each once (row locked, ledger key "award:bounty:<id>"). A bounty of the
    winner's own is left open; one that had expired by then is expired, not awarded. Taking the
    acceptance back later does not take an award back: the money is the winner's."""
    solution = challenge_selectors.solution_get(pk=solution_id)
    if solution is None or solution.challenge_id != challenge_id:
        return []
    awarded = []
    open_ids = Bounty.objects.filter(challenge_id=challenge_id, status=BountyStatus.OPEN)
    for bounty_id in open_ids.values_list("pk", flat=True):
        with transaction.atomic():
            bounty = _locked(bounty_id)
            if bounty is None or bounty.status != BountyStatus.OPEN:
                continue
            if accepted_at >= bounty.expires_at:
                _expire(bounty)
                continue
            if bounty.sponsor_id == solution.author_id:
                continue
            _award(bounty, solution)
            awarded.append(bounty)
    return awarded


def _award(bounty: Bounty, solution: Solution) -> None:
    ledger_move(
        kind=EntryKind.AWARD,
        source=_hold(bounty),
        destination=wallet_account(solution.author, currency=bounty.currency),
        amount=bounty.amount,
        key=f"award:bounty:{bounty.pk}",
        memo=f"Bounty on “{bounty.challenge.title}”",
        payment=bounty.payment,
    )
    bounty.status = BountyStatus.AWARDED
    bounty.awarded_to_id = solution.author_id
    bounty.awarded_solution = solution
    bounty.awarded_at = bounty.closed_at = clock.now()
    bounty.save(
        update_fields=[
            *("status", "awarded_to", "awarded_solution", "awarded_at", "closed_at", "updated_at")
        ]
    )
    events.publish(
        "bounty.awarded",
        subject=bounty,
        payload={
            "title": f"{bounty.amount} {bounty.currency} bounty on “{bounty.challenge.title}”",
            "url": bounty.get_absolute_url(),
            "recipient_ids": [solution.author_id, bounty.sponsor_id],
            "challenge_id": bounty.challenge_id,
            "amount": str(bounty.amount),
            "currency": bounty.currency,
        },
    )


def bounty_expire(*, bounty_id: int) -> Bounty | None:
    """Give an open bounty past its expiry back to its sponsor as credit (ledger key
    "credit:bounty:<id>"), then, if they chose a refund, ask Chapa for it after the commit."""
    with transaction.atomic():
        bounty = _locked(bounty_id)
        if bounty is None or bounty.status != BountyStatus.OPEN or clock.now() < bounty.expires_at:
            return bounty
        _expire(bounty)
        return bounty


def _expire(bounty: Bounty) -> None:
    ledger_move(
        kind=EntryKind.CREDIT,
        source=_hold(bounty),
        destination=wallet_account(bounty.sponsor, currency=bounty.currency),
        amount=bounty.amount,
        key=f"credit:bounty:{bounty.pk}",
        memo=f"Expired bounty on “{bounty.challenge.title}”",
        payment=bounty.payment,
    )
    bounty.status = BountyStatus.EXPIRED
    bounty.closed_at = clock.now()
    bounty.save(update_fields=["status", "closed_at", "updated_at"])
    events.publish(
        "bounty.expired",
        subject=bounty,
        payload={
            "title": f"Your {bounty.amount} {bounty.currency} bounty on “{bounty.challenge.title}”",
            "url": bounty.get_absolute_url(),
            "recipient_ids": [bounty.sponsor_id],
            "challenge_id": bounty.challenge_id,
            "on_expiry": bounty.on_expiry,
        },
    )
    if bounty.on_expiry == OnExpiry.REFUND and bounty.payment_id is not None:
        taskqueue.enqueue_on_commit("nexus.funding.tasks.refund_expired_bounty", bounty.pk)


def bounties_expire_due() -> int:
    """Expire every open bounty past its expiry (the hourly beat job); returns how many."""
    due = Bounty.objects.filter(status=BountyStatus.OPEN, expires_at__lte=clock.now())
    expired = 0
    for bounty_id in due.values_list("pk", flat=True):
        bounty = bounty_expire(bounty_id=bounty_id)
        expired += bool(bounty and bounty.status == BountyStatus.EXPIRED)
    return expired
