"""Reads of money: a user's balances, payments, movements and payouts; Chapa's bank list; the
admins' monthly report. Balances are always sums of ledger entries, never stored."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import caches
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.timezone import get_current_timezone

from nexus.accounts.models import User
from nexus.payments import chapa
from nexus.payments.models import (
    CURRENCY_PLACES,
    ZERO,
    AccountKind,
    Currency,
    EntryKind,
    LedgerAccount,
    LedgerEntry,
    Payment,
    PaymentStatus,
    Payout,
    PayoutStatus,
)
from nexus.payments.purposes import purpose_of

BANKS_CACHE_KEY = "payments:chapa-banks"
BANKS_CACHE_SECONDS = 300
RECEIVED_KINDS = (EntryKind.AWARD, EntryKind.GRANT, EntryKind.CREDIT)
ON_THE_WAY = (
    PayoutStatus.AWAITING_APPROVAL,
    PayoutStatus.QUEUED,
    PayoutStatus.SENDING,
    PayoutStatus.RETRYING,
)


def payout_banks() -> list[chapa.Bank]:
    """The banks and mobile-money providers Chapa transfers to, cached a few minutes."""
    cache = caches["best_effort"]
    banks = cache.get(BANKS_CACHE_KEY)
    if banks is None:
        banks = chapa.banks()
        cache.set(BANKS_CACHE_KEY, banks, BANKS_CACHE_SECONDS)
    return list(banks)


def payout_bank(bank_code: str) -> chapa.Bank | None:
    """The listed bank with this id, or None (also when Chapa cannot be asked)."""
    try:
        banks = payout_banks()
    except chapa.ChapaError:
        return None
    return next((bank for bank in banks if str(bank.id) == str(bank_code)), None)


def wallet_balance(user: User, currency: str) -> Decimal:
    """A user's credit in one currency."""
    return balances(user).get(currency, ZERO)


def balances(user: User) -> dict[str, Decimal]:
    """A user's credit per currency."""
    wallets = LedgerAccount.objects.filter(user=user, kind=AccountKind.WALLET)
    return _net(wallets.values("pk"))


def _net(accounts: QuerySet[LedgerAccount, Any]) -> dict[str, Decimal]:
    """What a set of accounts holds per currency: two grouped sums, however many accounts."""
    totals: dict[str, Decimal] = {}
    for sign, entries in (
        (1, LedgerEntry.objects.filter(destination__in=accounts)),
        (-1, LedgerEntry.objects.filter(source__in=accounts)),
    ):
        for currency, total in (
            entries.order_by()
            .values("currency")
            .annotate(total=Sum("amount"))
            .values_list("currency", "total")
        ):
            totals[currency] = totals.get(currency, ZERO) + sign * _in_places(total, currency)
    return totals


def _in_places(total: Decimal, currency: str) -> Decimal:
    """A sum as the currency writes it (150.00): SQLite gives sums back without the places."""
    return total.quantize(Decimal(1).scaleb(-CURRENCY_PLACES[Currency(currency)]))


def payments_of(user: User) -> QuerySet[Payment]:
    """What a user paid or started paying, newest first."""
    return Payment.objects.filter(payer=user).order_by("-created_at", "-id")


def movements_of(user: User) -> QuerySet[LedgerEntry]:
    """Every movement into or out of one of the user's accounts, newest first."""
    return (
        LedgerEntry.objects.filter(Q(source__user=user) | Q(destination__user=user))
        .select_related("source", "destination", "payment", "payout")
        .order_by("-created_at", "-id")
    )


def received_by(user: User) -> QuerySet[LedgerEntry]:
    """Awards, grants and credit that reached the user."""
    return movements_of(user).filter(destination__user=user, kind__in=RECEIVED_KINDS)


def payouts_of(user: User) -> QuerySet[Payout]:
    return Payout.objects.filter(user=user).order_by("-created_at", "-id")


def payouts_awaiting_approval() -> QuerySet[Payout]:
    """The admins' queue, oldest first."""
    return (
        Payout.objects.filter(status=PayoutStatus.AWAITING_APPROVAL)
        .select_related("user")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class Pending:
    payments: list[Payment]
    held: dict[str, Decimal]
    payouts: list[Payout]


def pending_for(user: User) -> Pending:
    """Money not settled yet: checkouts not finished, money held in what the user funded (a
    bounty's hold until it is awarded or given back) and payouts on their way."""
    funded = LedgerEntry.objects.filter(
        kind=EntryKind.HOLD, source__user=user, destination__kind=AccountKind.HOLD
    ).values("destination")
    held = _net(LedgerAccount.objects.filter(pk__in=funded).values("pk"))
    return Pending(
        payments=list(payments_of(user).filter(status=PaymentStatus.PENDING)[:20]),
        held={currency: amount for currency, amount in held.items() if amount > 0},
        payouts=list(payouts_of(user).filter(status__in=ON_THE_WAY)[:20]),
    )


def purpose_label(payment: Payment) -> str:
    """What a payment was for, as its purpose words it (its name when nobody registered it)."""
    try:
        return purpose_of(payment).label(payment)
    except KeyError:
        return payment.purpose


def month_entries(month: dt.date) -> QuerySet[LedgerEntry]:
    """Every movement of one month (`month` is its first day), oldest first."""
    start, end = month_bounds(month)
    return (
        LedgerEntry.objects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("source__user", "destination__user", "payment", "payout")
        .order_by("created_at", "id")
    )


def month_totals(month: dt.date) -> list[tuple[str, str, Decimal, int]]:
    """(kind, currency, total, count) for every kind of movement in the month."""
    start, end = month_bounds(month)
    rows = (
        LedgerEntry.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("kind", "currency")
        .annotate(total=Sum("amount"), count=Count("id"))
        .order_by("kind", "currency")
        .values_list("kind", "currency", "total", "count")
    )
    return [(kind, currency, _in_places(total, currency), n) for kind, currency, total, n in rows]


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month's first instant and the next month's, in the site's time zone."""
    zone = get_current_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=zone)
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    end = dt.datetime(following.year, following.month, 1, tzinfo=zone)
    return start, end


def iterate(queryset: QuerySet[LedgerEntry]) -> Iterator[LedgerEntry]:
    """Rows in chunks, for a streamed CSV."""
    return queryset.iterator(chunk_size=500)
