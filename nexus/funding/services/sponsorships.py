"""A sponsorship's money once paid: a learner's straight to their credit through a hold, a
cohort's into the cohort's fund ("hold:cohort:<id>"), which its mentors or an admin grant from
to the cohort's members."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from nexus.accounts.models import User
from nexus.core import clock, events
from nexus.core.errors import field_error
from nexus.funding import policies
from nexus.funding.models import CohortGrant, Sponsorship, SponsorshipStatus
from nexus.journal import selectors as journal_selectors
from nexus.journal.models import Cohort
from nexus.payments.ledger import (
    InsufficientFunds,
    clean_amount,
    hold_account,
    ledger_move,
    wallet_account,
)
from nexus.payments.models import EntryKind, LedgerAccount, Payment

CANNOT_GRANT = "Only the cohort's mentors and admins grant from its fund."


def cohort_fund(cohort: Cohort, *, currency: str) -> LedgerAccount:
    """The account a cohort's sponsorships are paid into and its grants are paid from."""
    return hold_account("cohort", cohort.pk, currency=currency)


def sponsorship_paid(*, payment: Payment) -> Sponsorship | None:
    """Move a paid sponsorship's money on, in the transaction that credited the charge: to the
    learner's credit (HOLD then GRANT, so the ledger shows what it was for), or into the
    cohort's fund."""
    sponsorship = Sponsorship.objects.select_for_update().filter(pk=int(payment.purpose_id)).first()
    if sponsorship is None or sponsorship.status == SponsorshipStatus.ACTIVE:
        return sponsorship
    source = wallet_account(payment.payer, currency=sponsorship.currency)
    if sponsorship.cohort is not None:
        ledger_move(
            kind=EntryKind.HOLD,
            source=source,
            destination=cohort_fund(sponsorship.cohort, currency=sponsorship.currency),
            amount=sponsorship.amount,
            key=f"hold:sponsorship:{sponsorship.pk}",
            memo=f"Sponsorship of the cohort {sponsorship.cohort}",
            payment=payment,
        )
    else:
        assert sponsorship.learner is not None
        hold = hold_account("sponsorship", sponsorship.pk, currency=sponsorship.currency)
        ledger_move(
            kind=EntryKind.HOLD,
            source=source,
            destination=hold,
            amount=sponsorship.amount,
            key=f"hold:sponsorship:{sponsorship.pk}",
            memo=f"Sponsorship of {sponsorship.learner.display_name}",
            payment=payment,
        )
        ledger_move(
            kind=EntryKind.GRANT,
            source=hold,
            destination=wallet_account(sponsorship.learner, currency=sponsorship.currency),
            amount=sponsorship.amount,
            key=f"grant:sponsorship:{sponsorship.pk}",
            memo=f"Sponsored by {sponsorship.sponsor_shown}",
            payment=payment,
        )
    sponsorship.status = SponsorshipStatus.ACTIVE
    sponsorship.paid_at = clock.now()
    sponsorship.save(update_fields=["status", "paid_at", "updated_at"])
    events.publish(
        "sponsorship.received",
        subject=sponsorship,
        payload={
            "title": f"{sponsorship.sponsor_shown} sponsored you: "
            f"{sponsorship.amount} {sponsorship.currency}",
            "url": "/payments/",
            "recipient_ids": [sponsorship.learner_id] if sponsorship.learner_id else [],
        },
    )
    return sponsorship


def sponsorship_payment_failed(*, payment: Payment) -> Sponsorship | None:
    """A payment that ended without money cancels the sponsorship it was for."""
    sponsorship = Sponsorship.objects.select_for_update().filter(pk=int(payment.purpose_id)).first()
    if sponsorship is None or sponsorship.status != SponsorshipStatus.PENDING_PAYMENT:
        return sponsorship
    sponsorship.status = SponsorshipStatus.CANCELLED
    sponsorship.save(update_fields=["status", "updated_at"])
    return sponsorship


@transaction.atomic
def cohort_grant_create(
    *,
    actor: User,
    cohort: Cohort,
    learner: User,
    amount: object,
    currency: str,
    note: str = "",
) -> CohortGrant:
    """Give a current member of a cohort money from the cohort's fund (never more than it
    holds: the fund's row is locked while it is counted)."""
    if not policies.can_grant_from_cohort_fund(actor, cohort):
        raise PermissionDenied(CANNOT_GRANT)
    value: Decimal = clean_amount(amount, currency=currency)
    if (
        not journal_selectors.cohort_learner_ids(cohort=cohort)
        .filter(learner_id=learner.pk)
        .exists()
    ):
        raise field_error("learner", "Grant only to a current member of this cohort.", "invalid")
    grant = CohortGrant.objects.create(
        cohort=cohort,
        learner=learner,
        granted_by=actor,
        amount=value,
        currency=currency,
        note=note[:200],
    )
    try:
        with transaction.atomic():
            ledger_move(
                kind=EntryKind.GRANT,
                source=cohort_fund(cohort, currency=currency),
                destination=wallet_account(learner, currency=currency),
                amount=value,
                key=f"grant:cohort:{grant.pk}",
                memo=f"Grant from the cohort {cohort}'s fund",
            )
    except InsufficientFunds as short:
        raise field_error(
            "amount",
            f"The cohort's fund holds {short.available:.2f} {currency}.",
            "max_value",
        ) from None
    return grant
