"""Offering money: a bounty on a challenge, a sponsorship of a learner or a cohort. Each stores
its row and opens a Chapa checkout through payments' `payment_start` in one transaction, so a
refusal (payments off, a bad field, Chapa saying no) stores nothing."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from nexus.accounts.models import User
from nexus.challenges.models import Challenge, ChallengeStatus
from nexus.core import clock
from nexus.core.errors import field_error
from nexus.funding import policies
from nexus.funding.models import (
    BOUNTY_DAYS,
    BOUNTY_DEFAULT_DAYS,
    THANK_YOU_MAX_CHARS,
    Bounty,
    OnExpiry,
    Sponsorship,
    SponsorshipKind,
)
from nexus.journal.models import Cohort
from nexus.payments.ledger import clean_amount
from nexus.payments.models import Currency
from nexus.payments.services.charges import PaymentsDisabled, payment_start, payments_enabled

CANNOT_OFFER = "Sign in to offer a bounty."
CANNOT_SPONSOR = "You may not sponsor this learner or cohort."


def _check_choice(field: str, value: object, choices: list[str]) -> None:
    if str(value) not in choices:
        raise field_error(field, f"Choose one of {', '.join(choices)}.", "invalid_choice")


def bounty_offer(
    *,
    sponsor: User,
    challenge: Challenge,
    amount: object,
    currency: str = Currency.ETB,
    expires_in_days: int = BOUNTY_DEFAULT_DAYS,
    on_expiry: str = OnExpiry.CREDIT,
) -> Bounty:
    """Put money on an open challenge: the bounty waits for its payment at the returned
    bounty's `payment.checkout_url`, and opens (held) once Chapa confirms it."""
    if not policies.can_offer_bounty(sponsor, challenge):
        raise PermissionDenied(CANNOT_OFFER)
    if not payments_enabled():
        raise PaymentsDisabled
    if challenge.status != ChallengeStatus.OPEN:
        raise field_error(
            "challenge",
            f"This challenge is {challenge.get_status_display().lower()}: "
            "bounties go on open challenges.",
            "invalid",
        )
    value = clean_amount(amount, currency=currency)
    _check_choice("expires_in_days", expires_in_days, [str(d) for d in BOUNTY_DAYS])
    _check_choice("on_expiry", on_expiry, OnExpiry.values)
    with transaction.atomic():
        bounty = Bounty.objects.create(
            challenge=challenge,
            sponsor=sponsor,
            amount=value,
            currency=currency,
            duration_days=int(expires_in_days),
            expires_at=clock.now() + timedelta(days=int(expires_in_days)),
            on_expiry=on_expiry,
        )
        bounty.payment = payment_start(
            payer=sponsor,
            amount=value,
            currency=currency,
            purpose="bounty",
            purpose_id=bounty.pk,
            description=f"Bounty on “{challenge.title}”"[:200],
        )
        bounty.save(update_fields=["payment", "updated_at"])
    return bounty


def sponsorship_offer(
    *,
    sponsor: User,
    learner: User | None = None,
    cohort: Cohort | None = None,
    kind: str = SponsorshipKind.GRANT,
    amount: object,
    currency: str = Currency.ETB,
    thank_you: str = "",
    public: bool = True,
) -> Sponsorship:
    """Sponsor one learner (to their credit) or one cohort (into its fund): the sponsorship
    waits for its payment at `payment.checkout_url` and is active once Chapa confirms it."""
    if (learner is None) == (cohort is None):
        raise ValidationError(
            {"learner": ["Sponsor either one learner or one cohort."]}, code="invalid"
        )
    allowed = (
        policies.can_sponsor_learner(sponsor, learner)
        if learner is not None
        else policies.can_sponsor_cohort(sponsor, cohort)  # type: ignore[arg-type]
    )
    if not allowed:
        raise PermissionDenied(CANNOT_SPONSOR)
    if not payments_enabled():
        raise PaymentsDisabled
    _check_choice("kind", kind, SponsorshipKind.values)
    value = clean_amount(amount, currency=currency)
    thank_you = thank_you.strip()
    if len(thank_you) > THANK_YOU_MAX_CHARS:
        raise field_error(
            "thank_you", f"Keep it to {THANK_YOU_MAX_CHARS} characters.", "max_length"
        )
    with transaction.atomic():
        sponsorship = Sponsorship.objects.create(
            sponsor=sponsor,
            learner=learner,
            cohort=cohort,
            kind=kind,
            amount=value,
            currency=currency,
            thank_you=thank_you,
            public=public,
        )
        target = (
            learner.display_name if learner is not None else f"the cohort {cohort.name}"  # type: ignore[union-attr]
        )
        sponsorship.payment = payment_start(
            payer=sponsor,
            amount=value,
            currency=currency,
            purpose="sponsorship",
            purpose_id=sponsorship.pk,
            description=f"Sponsorship of {target}"[:200],
        )
        sponsorship.save(update_fields=["payment", "updated_at"])
    return sponsorship
