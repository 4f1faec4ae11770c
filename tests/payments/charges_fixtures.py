"""A purpose to pay for in payments' own tests, and the ledger check every fault test ends with."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Sum

from nexus.payments.ledger import hold_account, ledger_move, wallet_account
from nexus.payments.models import (
    AccountKind,
    EntryKind,
    LedgerAccount,
    LedgerEntry,
    Payment,
    PaymentStatus,
)
from nexus.payments.purposes import Purpose, register_purpose

PURPOSE = "test-hold"
paid: list[str] = []
failed: list[str] = []


def _hold(payment: Payment) -> None:
    paid.append(payment.tx_ref)
    ledger_move(
        kind=EntryKind.HOLD,
        source=wallet_account(payment.payer, currency=payment.currency),
        destination=hold_account(PURPOSE, payment.purpose_id, currency=payment.currency),
        amount=payment.amount,
        key=f"hold:{PURPOSE}:{payment.purpose_id}",
        payment=payment,
    )


register_purpose(
    Purpose(
        name=PURPOSE,
        on_paid=_hold,
        on_failed=lambda payment: failed.append(payment.tx_ref),
        return_path=lambda payment: f"/things/{payment.purpose_id}/",
        label=lambda payment: f"Thing {payment.purpose_id}",
    )
)


@pytest.fixture
def purpose_calls():
    paid.clear()
    failed.clear()
    return {"paid": paid, "failed": failed}


def assert_ledger_balanced_and_matches_chapa(sandbox) -> None:
    """Every account's balance is what its entries say, none but the world is below zero, and
    exactly the succeeded payments have one charge entry each, equal to Chapa's amount."""
    total_in = dict(
        LedgerEntry.objects.values_list("destination").annotate(total=Sum("amount")).order_by()
    )
    total_out = dict(
        LedgerEntry.objects.values_list("source").annotate(total=Sum("amount")).order_by()
    )
    overall = Decimal(0)
    for account in LedgerAccount.objects.all():
        held = total_in.get(account.pk, Decimal(0)) - total_out.get(account.pk, Decimal(0))
        overall += held
        if account.kind != AccountKind.WORLD:
            assert held >= 0, f"{account} is below zero: {held}"
    assert overall == 0, f"the ledger does not balance: {overall}"
    charges = Counter(
        LedgerEntry.objects.filter(kind=EntryKind.CHARGE).values_list("payment__tx_ref", flat=True)
    )
    for payment in Payment.objects.all():
        if payment.status == PaymentStatus.SUCCEEDED:
            assert charges[payment.tx_ref] == 1, (
                f"{payment.tx_ref} charged {charges[payment.tx_ref]}x"
            )
            entry = LedgerEntry.objects.get(kind=EntryKind.CHARGE, payment=payment)
            assert entry.amount == Decimal(sandbox.transaction(payment.tx_ref)["amount"])
            assert entry.amount == payment.amount
        else:
            assert charges[payment.tx_ref] == 0, f"{payment.tx_ref} ({payment.status}) was charged"
