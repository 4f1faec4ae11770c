"""The one way money moves in Nexus: `ledger_move`, inside the caller's transaction.

Accounts are found or made by code; balances are sums of entries. A movement out of any account
but the outside world locks that account's row first, so two movements racing for the same money
are serialised and the second sees the first (the database's trigger is the last guard).
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum

from nexus.accounts.models import User
from nexus.core.errors import field_error
from nexus.payments.models import (
    CURRENCY_PLACES,
    ZERO,
    AccountKind,
    Currency,
    EntryKind,
    LedgerAccount,
    LedgerEntry,
    Payment,
    Payout,
)

WORLD = "world"
FEES = "fees"


class InsufficientFunds(Exception):
    """The source account holds less than the movement takes."""

    def __init__(self, account: LedgerAccount, needed: Decimal, available: Decimal) -> None:
        super().__init__(f"{account.code} holds {available} {account.currency}, {needed} needed")
        self.account = account
        self.needed = needed
        self.available = available


def clean_amount(value: object, *, currency: str, field: str = "amount") -> Decimal:
    """A positive amount in the currency's precision and under the site's maximum, or a field
    error saying which rule it breaks (never rounded: 10.005 birr is refused, not made 10.01)."""
    if currency not in Currency.values:
        raise field_error(
            "currency", f"Choose one of {', '.join(Currency.values)}.", "invalid_choice"
        )
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise field_error(field, "Enter an amount such as 150 or 150.50.", "invalid") from None
    if not amount.is_finite():
        raise field_error(field, "Enter an amount such as 150 or 150.50.", "invalid")
    if amount <= 0:
        raise field_error(field, "The amount must be more than zero.", "min_value")
    places = CURRENCY_PLACES[Currency(currency)]
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise field_error(
            field, f"{currency} amounts have at most {places} decimal places.", "max_decimal_places"
        )
    if amount > settings.PAYMENTS_MAX_AMOUNT:
        raise field_error(
            field,
            f"The amount may be at most {settings.PAYMENTS_MAX_AMOUNT} {currency}.",
            "max_value",
        )
    return amount.quantize(Decimal(1).scaleb(-places))


def system_account(code: str, *, currency: str) -> LedgerAccount:
    """The outside world ("world") or Chapa's fees ("fees") in a currency."""
    kind = {WORLD: AccountKind.WORLD, FEES: AccountKind.FEES}[code]
    return _account(code, kind=kind, currency=currency)


def wallet_account(user: User, *, currency: str) -> LedgerAccount:
    """A user's credit in a currency: what they were awarded, granted or given back."""
    return _account(f"wallet:{user.pk}", kind=AccountKind.WALLET, currency=currency, user=user)


def hold_account(purpose: str, purpose_id: object, *, currency: str) -> LedgerAccount:
    """Money earmarked for one thing ("hold:bounty:7") until it is awarded or given back."""
    return _account(f"hold:{purpose}:{purpose_id}", kind=AccountKind.HOLD, currency=currency)


def payout_account(payout: Payout) -> LedgerAccount:
    """A payout's money while the transfer is on its way."""
    return _account(f"payout:{payout.pk}", kind=AccountKind.PAYOUT, currency=payout.currency)


def balance(account: LedgerAccount) -> Decimal:
    """What an account holds: everything that arrived minus everything that left."""
    totals = LedgerEntry.objects.aggregate(
        arrived=Sum("amount", filter=Q(destination=account)),
        left=Sum("amount", filter=Q(source=account)),
    )
    return (totals["arrived"] or ZERO) - (totals["left"] or ZERO)


def ledger_move(
    *,
    kind: EntryKind,
    source: LedgerAccount,
    destination: LedgerAccount,
    amount: Decimal,
    key: str,
    memo: str = "",
    payment: Payment | None = None,
    payout: Payout | None = None,
) -> LedgerEntry:
    """Move `amount` from `source` to `destination`, once per `key`: the same key again returns
    the movement already stored and moves nothing. Must run inside a transaction."""
    if source.currency != destination.currency:
        raise ValueError(f"{source} and {destination} hold different currencies")
    existing = LedgerEntry.objects.filter(key=key).first()
    if existing is not None:
        return existing
    if source.kind != AccountKind.WORLD:
        LedgerAccount.objects.select_for_update().filter(pk=source.pk).first()
        available = balance(source)
        if available < amount:
            raise InsufficientFunds(source, amount, available)
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                kind=kind,
                source=source,
                destination=destination,
                amount=amount,
                currency=source.currency,
                key=key,
                memo=memo[:200],
                payment=payment,
                payout=payout,
            )
    except IntegrityError:
        # The same movement committed by a racing caller: that one counts.
        existing = LedgerEntry.objects.filter(key=key).first()
        if existing is None:
            raise
        return existing


def _account(
    code: str, *, kind: AccountKind, currency: str, user: User | None = None
) -> LedgerAccount:
    account = LedgerAccount.objects.filter(code=code, currency=currency).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return LedgerAccount.objects.create(code=code, kind=kind, currency=currency, user=user)
    except IntegrityError:
        return LedgerAccount.objects.get(code=code, currency=currency)
