"""Money through Chapa: a double-entry ledger, the charges that fill it, the payouts that empty it.

The ledger is the truth: balances are sums of entries, never stored alone. Each `LedgerEntry` is
one movement — an amount leaving one account and arriving at another — so every movement is a
balanced pair by construction, and the database refuses a non-positive amount, a movement from an
account to itself, and (by trigger, see migration 0002) a movement that would take any account but
the outside world below zero.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from nexus.core.models import TimeStampedModel

AMOUNT_MAX_DIGITS = 14
AMOUNT_DECIMAL_PLACES = 2


class Currency(models.TextChoices):
    ETB = "ETB", "Ethiopian birr"
    USD = "USD", "US dollar"


# Minor units per currency: an amount with more decimals than this is refused, never rounded.
CURRENCY_PLACES = {Currency.ETB: 2, Currency.USD: 2}
ZERO = Decimal("0.00")


def amount_field() -> "models.DecimalField[Decimal, Decimal]":
    return models.DecimalField(max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES)


class AccountKind(models.TextChoices):
    WORLD = (
        "world",
        "Outside Nexus",
    )  # payers' cards, recipients' banks: the only one that may go negative
    FEES = "fees", "Chapa fees"
    WALLET = "wallet", "Credit"  # a user's money held by Nexus: awards, grants, returned bounties
    HOLD = "hold", "Held"  # earmarked for one purpose (a bounty, a sponsorship) until released
    PAYOUT = "payout", "Payout in flight"  # on its way to a user's bank or mobile money


class LedgerAccount(TimeStampedModel):
    """Where money sits. `code` names it: "world", "fees", "wallet:<user id>", "hold:bounty:<id>",
    "payout:<id>"; one account per code and currency."""

    code = models.CharField(max_length=80)
    kind = models.CharField(max_length=16, choices=AccountKind.choices)
    currency = models.CharField(max_length=3, choices=Currency.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["code", "currency"], name="payments_account_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind=AccountKind.WALLET, user__isnull=False)
                | ~Q(kind=AccountKind.WALLET),
                name="payments_wallet_has_owner",
            ),
        ]
        indexes = [models.Index(fields=["user", "kind"])]

    def __str__(self) -> str:
        return f"{self.code} ({self.currency})"


class EntryKind(models.TextChoices):
    CHARGE = "charge", "Payment received"
    FEE = "fee", "Chapa fee"
    HOLD = "hold", "Held"
    AWARD = "award", "Awarded"
    REFUND = "refund", "Refunded"
    CREDIT = "credit", "Returned as credit"
    GRANT = "grant", "Grant"
    PAYOUT = "payout", "Payout started"
    PAYOUT_SENT = "payout_sent", "Payout sent"
    PAYOUT_RETURNED = "payout_returned", "Payout returned"


class LedgerEntry(TimeStampedModel):
    """One movement: `amount` leaves `source` and arrives at `destination`, both in `currency`.

    `key` makes every movement idempotent ("charge:<tx_ref>", "award:bounty:<id>"): posting the
    same movement twice stores it once.
    """

    kind = models.CharField(max_length=24, choices=EntryKind.choices)
    source = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="outgoing")
    destination = models.ForeignKey(
        LedgerAccount, on_delete=models.PROTECT, related_name="incoming"
    )
    amount = amount_field()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    key = models.CharField(max_length=120, unique=True)
    memo = models.CharField(max_length=200, blank=True)
    payment = models.ForeignKey(
        "Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    payout = models.ForeignKey(
        "Payout", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )

    class Meta:
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_entry_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(source=models.F("destination")), name="payments_entry_moves"
            ),
        ]
        indexes = [
            models.Index(fields=["source", "created_at"]),
            models.Index(fields=["destination", "created_at"]),
            models.Index(fields=["kind", "created_at"]),
        ]


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Waiting for payment"
    SUCCEEDED = "succeeded", "Paid"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Abandoned"
    MISMATCH = "mismatch", "Held for review"  # Chapa's record disagrees with what was asked


class Payment(TimeStampedModel):
    """A charge through Chapa's hosted checkout, for one purpose ("bounty", "sponsorship")."""

    tx_ref = models.CharField(max_length=64, unique=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    amount = amount_field()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    purpose = models.CharField(max_length=32)
    purpose_id = models.CharField(max_length=64)
    description = models.CharField(max_length=200, blank=True)
    checkout_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    status_reason = models.CharField(max_length=300, blank=True)
    chapa_reference = models.CharField(max_length=64, blank=True)
    fee = models.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES, null=True, blank=True
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verify_attempts = models.PositiveIntegerField(default=0)
    next_verify_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_payment_amount_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["payer", "-created_at"]),
            models.Index(fields=["purpose", "purpose_id"]),
            models.Index(fields=["status", "next_verify_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.tx_ref} {self.amount} {self.currency} ({self.status})"


class ChapaEvent(TimeStampedModel):
    """A webhook Chapa sent us, stored once per (reference, event): a replay finds its row."""

    event = models.CharField(max_length=64)
    reference = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reference", "event"], name="payments_event_once"),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="payments_event_unprocessed_idx",
                condition=Q(processed_at__isnull=True),
            )
        ]


class PayoutMethodKind(models.TextChoices):
    BANK = "bank", "Bank account"
    MOBILE_MONEY = "mobile_money", "Mobile money"


class PayoutMethod(TimeStampedModel):
    """Where a user's payouts go, entered by them; shown to nobody else, and to them masked."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payout_method"
    )
    kind = models.CharField(max_length=16, choices=PayoutMethodKind.choices)
    bank_code = models.CharField(max_length=64)
    bank_name = models.CharField(max_length=120, blank=True)
    account_name = models.CharField(max_length=120)
    account_number = models.CharField(max_length=40)

    @property
    def masked_number(self) -> str:
        return f"•••• {self.account_number[-4:]}"


class PayoutStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", "Waiting for an admin"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    PAID = "paid", "Paid"
    RETRYING = "retrying", "Failed, retrying"
    RETURNED = "returned", "Returned to your credit"
    REJECTED = "rejected", "Rejected"


class Payout(TimeStampedModel):
    """Money from a user's credit to their bank or mobile money through Chapa's transfer API."""

    reference = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts"
    )
    amount = amount_field()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    status = models.CharField(
        max_length=24, choices=PayoutStatus.choices, default=PayoutStatus.QUEUED
    )
    status_reason = models.CharField(max_length=300, blank=True)
    # What the transfer was sent to, kept as it was when requested.
    bank_code = models.CharField(max_length=64)
    account_name = models.CharField(max_length=120)
    account_number = models.CharField(max_length=40)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approved_payouts",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_payout_amount_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]
