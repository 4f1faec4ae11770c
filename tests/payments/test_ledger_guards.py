"""The database's own guards on the ledger, below ledger_move: rows written past the service (a
raw create, a queryset update, and on PostgreSQL a delete) are refused by the database."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from nexus.payments.ledger import balance, hold_account, system_account, wallet_account
from nexus.payments.models import EntryKind, LedgerEntry

pytestmark = pytest.mark.django_db


def _raw_entry(source, destination, amount, key):
    with transaction.atomic():
        return LedgerEntry.objects.create(
            kind=EntryKind.HOLD,
            source=source,
            destination=destination,
            amount=Decimal(amount),
            currency=source.currency,
            key=key,
        )


@pytest.fixture
def funded_wallet(owner):
    wallet = wallet_account(owner, currency="ETB")
    _raw_entry(system_account("world", currency="ETB"), wallet, "100.10", "charge:guard")
    return wallet


def test_the_world_may_go_below_zero(funded_wallet):
    assert balance(system_account("world", currency="ETB")) == Decimal("-100.10")


def test_a_raw_insert_that_would_overdraw_a_wallet_is_refused(funded_wallet):
    hold = hold_account("bounty", 1, currency="ETB")

    with pytest.raises(IntegrityError):
        _raw_entry(funded_wallet, hold, "100.11", "hold:bounty:1")

    assert balance(funded_wallet) == Decimal("100.10")
    assert balance(hold) == 0


def test_a_raw_insert_of_exactly_the_balance_is_allowed(funded_wallet):
    hold = hold_account("bounty", 1, currency="ETB")

    _raw_entry(funded_wallet, hold, "60.05", "hold:bounty:1")
    _raw_entry(funded_wallet, hold, "40.05", "hold:bounty:1:more")

    assert balance(funded_wallet) == 0
    assert balance(hold) == Decimal("100.10")


def test_an_empty_hold_cannot_pay_anyone(owner):
    with pytest.raises(IntegrityError):
        _raw_entry(
            hold_account("bounty", 2, currency="ETB"),
            wallet_account(owner, currency="ETB"),
            "0.01",
            "award:bounty:2",
        )


def test_an_entry_cannot_be_changed(funded_wallet):
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(key="charge:guard").update(amount=Decimal("1000000"))

    assert LedgerEntry.objects.get(key="charge:guard").amount == Decimal("100.10")


def test_an_entry_cannot_be_saved_over(funded_wallet):
    entry = LedgerEntry.objects.get(key="charge:guard")
    entry.memo = "rewritten"

    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite guards no delete: Django empties its test databases with DELETE",
)
def test_an_entry_cannot_be_deleted(funded_wallet):
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(key="charge:guard").delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.get(key="charge:guard").delete()

    assert LedgerEntry.objects.filter(key="charge:guard").exists()
