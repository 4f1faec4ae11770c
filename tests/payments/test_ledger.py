from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from nexus.payments.ledger import (
    InsufficientFunds,
    balance,
    clean_amount,
    hold_account,
    ledger_move,
    system_account,
    wallet_account,
)
from nexus.payments.models import EntryKind, LedgerEntry

pytestmark = pytest.mark.django_db


def _fund(user, amount, key="charge:t1"):
    with transaction.atomic():
        return ledger_move(
            kind=EntryKind.CHARGE,
            source=system_account("world", currency="ETB"),
            destination=wallet_account(user, currency="ETB"),
            amount=Decimal(amount),
            key=key,
        )


def test_money_moved_in_shows_in_the_balance_and_the_world_goes_below_zero(owner):
    _fund(owner, "150.50")

    assert balance(wallet_account(owner, currency="ETB")) == Decimal("150.50")
    assert balance(system_account("world", currency="ETB")) == Decimal("-150.50")


def test_the_same_movement_twice_is_stored_once(owner):
    first = _fund(owner, "10")
    again = _fund(owner, "10")

    assert again.pk == first.pk
    assert LedgerEntry.objects.count() == 1
    assert balance(wallet_account(owner, currency="ETB")) == Decimal("10.00")


def test_an_account_never_gives_more_than_it_holds(owner):
    _fund(owner, "10")
    hold = hold_account("bounty", 1, currency="ETB")

    with pytest.raises(InsufficientFunds), transaction.atomic():
        ledger_move(
            kind=EntryKind.HOLD,
            source=wallet_account(owner, currency="ETB"),
            destination=hold,
            amount=Decimal("10.01"),
            key="hold:bounty:1",
        )

    assert balance(hold) == 0
    assert balance(wallet_account(owner, currency="ETB")) == Decimal("10.00")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0", "min_value"),
        ("-5", "min_value"),
        ("10.005", "max_decimal_places"),
        ("1000000.01", "max_value"),
        ("ten", "invalid"),
        ("NaN", "invalid"),
        ("Infinity", "invalid"),
    ],
)
def test_bad_amounts_are_refused_with_the_rule_they_break(value, code):
    with pytest.raises(ValidationError) as refused:
        clean_amount(value, currency="ETB")

    assert refused.value.error_dict["amount"][0].code == code


def test_amounts_keep_the_currency_precision():
    assert clean_amount("150", currency="ETB") == Decimal("150.00")
    assert clean_amount(" 0.50 ", currency="USD") == Decimal("0.50")
    with pytest.raises(ValidationError) as refused:
        clean_amount("1", currency="EUR")
    assert "currency" in refused.value.error_dict
