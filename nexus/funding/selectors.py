"""Funding's reads: bounty and sponsorship lists with what their pages and APIs show, the open
bounty total a challenge list annotates, and the thank-you lists of profiles and cohorts."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from nexus.accounts.models import User
from nexus.funding.models import (
    Bounty,
    BountyStatus,
    CohortGrant,
    Sponsorship,
    SponsorshipStatus,
)
from nexus.journal.models import Cohort
from nexus.payments.ledger import balance, hold_account
from nexus.payments.models import AMOUNT_DECIMAL_PLACES, AMOUNT_MAX_DIGITS, Currency

CENTS = Decimal(1).scaleb(-AMOUNT_DECIMAL_PLACES)


def _cents(amount: Decimal) -> Decimal:
    # SQLite's sums drop trailing zeros ("750"); amounts are shown as "750.00" on every database.
    return amount.quantize(CENTS)


def bounty_list() -> QuerySet[Bounty]:
    """Bounties with their challenge, sponsor, winner and payment loaded."""
    return Bounty.objects.select_related("challenge", "sponsor", "awarded_to", "payment")


def bounty_get(*, pk: Any) -> Bounty | None:
    return bounty_list().filter(pk=pk).first()


def open_bounties(*, challenge_id: int) -> QuerySet[Bounty]:
    """A challenge's open bounties, largest first, for its page."""
    return (
        Bounty.objects.filter(challenge_id=challenge_id, status=BountyStatus.OPEN)
        .select_related("sponsor")
        .order_by("-amount", "id")
    )


def challenges_with_open_bounties(*, challenge_ids: Iterable[int]) -> set[int]:
    """Of `challenge_ids`, those with at least one open bounty (one query for many)."""
    open_bounties = Bounty.objects.filter(
        challenge_id__in=list(challenge_ids), status=BountyStatus.OPEN
    )
    return set(open_bounties.values_list("challenge_id", flat=True).distinct())


def open_bounty_totals(*, challenge_id: int) -> dict[str, Decimal]:
    """What is on offer for a challenge now, per currency ({"ETB": Decimal("700.00")})."""
    rows = (
        Bounty.objects.filter(challenge_id=challenge_id, status=BountyStatus.OPEN)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by("currency")
    )
    return {row["currency"]: _cents(row["total"]) for row in rows}


def open_bounty_total_subquery(currency: str = Currency.ETB) -> Coalesce:
    """The open bounty total of the row's challenge in one currency, as an expression a
    challenge list annotates (one subquery in the list's query, whatever the page size)."""
    totals = (
        Bounty.objects.filter(
            challenge_id=OuterRef("pk"), status=BountyStatus.OPEN, currency=currency
        )
        .order_by()
        .values("challenge_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES)
    return Coalesce(
        Subquery(totals, output_field=money), Value(Decimal("0.00")), output_field=money
    )


def sponsorship_list() -> QuerySet[Sponsorship]:
    """Sponsorships with their sponsor, learner, cohort and payment loaded."""
    return Sponsorship.objects.select_related("sponsor", "learner", "cohort", "payment")


def sponsorship_get(*, pk: Any) -> Sponsorship | None:
    return sponsorship_list().filter(pk=pk).first()


def thank_yous_for_learner(*, learner: User) -> QuerySet[Sponsorship]:
    """A learner's paid sponsorships for their profile, newest first."""
    return (
        Sponsorship.objects.filter(learner=learner, status=SponsorshipStatus.ACTIVE)
        .select_related("sponsor")
        .order_by("-paid_at", "-id")
    )


def thank_yous_for_cohort(*, cohort: Cohort) -> QuerySet[Sponsorship]:
    """A cohort's paid sponsorships for its page, newest first."""
    return (
        Sponsorship.objects.filter(cohort=cohort, status=SponsorshipStatus.ACTIVE)
        .select_related("sponsor")
        .order_by("-paid_at", "-id")
    )


def cohort_fund_balances(*, cohort: Cohort) -> dict[str, Decimal]:
    """What a cohort's fund holds per currency (only currencies it was ever paid in)."""
    return {
        currency: _cents(balance(hold_account("cohort", cohort.pk, currency=currency)))
        for currency in Sponsorship.objects.filter(cohort=cohort, status=SponsorshipStatus.ACTIVE)
        .values_list("currency", flat=True)
        .distinct()
    }


def funding_of(*, sponsor: User) -> tuple[QuerySet[Bounty], QuerySet[Sponsorship]]:
    """A sponsor's own bounties and sponsorships, newest first, for their page."""
    return (
        bounty_list().filter(sponsor=sponsor).order_by("-created_at", "-id"),
        sponsorship_list().filter(sponsor=sponsor).order_by("-created_at", "-id"),
    )


def cohort_grants(*, cohort: Cohort) -> QuerySet[CohortGrant]:
    """What a cohort's fund has given, newest first, with who received and who granted."""
    return (
        CohortGrant.objects.filter(cohort=cohort)
        .select_related("learner", "granted_by")
        .order_by("-created_at", "-id")
    )
