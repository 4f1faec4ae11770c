"""Setting up money for the payout, page and report tests: credit from the outside world, a
payout method, and the check every test ends with (the ledger balances)."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from nexus.payments.ledger import ledger_move, system_account, wallet_account
from nexus.payments.models import (
    AccountKind,
    EntryKind,
    LedgerAccount,
    LedgerEntry,
    PayoutMethod,
    PayoutMethodKind,
)


def give_credit(user, amount, *, currency="ETB", key=None):
    """Credit as an award leaves it: money from outside in the user's wallet."""
    with transaction.atomic():
        return ledger_move(
            kind=EntryKind.CHARGE,
            source=system_account("world", currency=currency),
            destination=wallet_account(user, currency=currency),
            amount=Decimal(amount),
            key=key or f"charge:test-{user.pk}-{amount}-{LedgerEntry.objects.count()}",
        )


def give_payout_method(user, *, bank_code="951", number="0911223344"):
    return PayoutMethod.objects.create(
        user=user,
        kind=PayoutMethodKind.MOBILE_MONEY,
        bank_code=bank_code,
        bank_name="Sandbox Mobile Wallet",
        account_name=user.display_name,
        account_number=number,
    )


def wallet(user, currency="ETB"):
    account = wallet_account(user, currency=currency)
    return held_by(account)


def held_by(account):
    totals = LedgerEntry.objects.aggregate(
        arrived=Sum("amount", filter=Q(destination=account)),
        left=Sum("amount", filter=Q(source=account)),
    )
    return (totals["arrived"] or Decimal(0)) - (totals["left"] or Decimal(0))


def assert_ledger_balances():
    """No account but the world below zero, and everything the world gave is somewhere."""
    total = Decimal(0)
    for account in LedgerAccount.objects.all():
        amount = held_by(account)
        if account.kind != AccountKind.WORLD:
            assert amount >= 0, f"{account} holds {amount}"
        total += amount
    assert total == 0
