"""GraphQL of funding: `bounties` and `sponsorships` lists, `offerBounty` and `sponsor` mutations
answering the Chapa checkout URL or typed errors; the same selectors and services as REST."""

import datetime
from typing import Any

import strawberry
from django.db.models import Q
from strawberry.types import Info
from strawberry_django.permissions import IsAuthenticated

from nexus.accounts.models import User
from nexus.challenges import selectors as challenge_selectors
from nexus.core.auth import authenticated_user
from nexus.core.graphql import (
    MUTATION_ERRORS,
    FieldError,
    MutationErrors,
    NotFound,
    pk_or_not_found,
)
from nexus.core.ids import pk_from_id
from nexus.funding import selectors
from nexus.funding.models import (
    BOUNTY_DEFAULT_DAYS,
    Bounty,
    BountyStatus,
    OnExpiry,
    Sponsorship,
    SponsorshipKind,
    SponsorshipStatus,
)
from nexus.funding.services import offers
from nexus.journal.models import Cohort
from nexus.payments.models import Currency
from nexus.payments.services.charges import PaymentsDisabled

LIST_MAX = 100


def _payments_off(exc: PaymentsDisabled) -> list[FieldError]:
    return [FieldError(field="", message=str(exc), code="payments_disabled")]


# Payments switched off is a typed error of every funding mutation, like a refused field.
MUTATION_ERRORS[PaymentsDisabled] = _payments_off


@strawberry.type(name="FundingPerson")
class PersonType:
    id: strawberry.ID
    display_name: str


def _person(user: User | None) -> PersonType | None:
    if user is None:
        return None
    return PersonType(id=strawberry.ID(str(user.pk)), display_name=user.display_name)


def _viewer_id(info: Info) -> int | None:
    user = info.context.request.user
    return user.pk if isinstance(user, User) else None


@strawberry.type(name="Bounty")
class BountyType:
    id: strawberry.ID
    challenge_id: strawberry.ID
    sponsor: PersonType
    amount: str
    currency: str
    status: str
    status_reason: str
    expires_at: datetime.datetime
    on_expiry: str
    awarded_to: PersonType | None
    awarded_at: datetime.datetime | None
    created_at: datetime.datetime
    # The sponsor's own: null for everyone else.
    tx_ref: str | None
    checkout_url: str | None


def _bounty(bounty: Bounty, viewer_id: int | None) -> BountyType:
    mine = viewer_id == bounty.sponsor_id and bounty.payment is not None
    return BountyType(
        id=strawberry.ID(str(bounty.pk)),
        challenge_id=strawberry.ID(str(bounty.challenge_id)),
        sponsor=PersonType(
            id=strawberry.ID(str(bounty.sponsor_id)), display_name=bounty.sponsor.display_name
        ),
        amount=str(bounty.amount),
        currency=bounty.currency,
        status=bounty.status,
        status_reason=bounty.status_reason,
        expires_at=bounty.expires_at,
        on_expiry=bounty.on_expiry,
        awarded_to=_person(bounty.awarded_to),
        awarded_at=bounty.awarded_at,
        created_at=bounty.created_at,
        tx_ref=bounty.payment.tx_ref if mine and bounty.payment else None,
        checkout_url=bounty.payment.checkout_url if mine and bounty.payment else None,
    )


@strawberry.type(name="Sponsorship")
class SponsorshipType:
    id: strawberry.ID
    sponsor: PersonType | None  # null: the sponsor chose to stay anonymous
    learner: PersonType | None
    cohort_id: strawberry.ID | None
    kind: str
    amount: str
    currency: str
    status: str
    thank_you: str
    public: bool
    paid_at: datetime.datetime | None
    created_at: datetime.datetime
    tx_ref: str | None
    checkout_url: str | None


def _sponsorship(row: Sponsorship, viewer_id: int | None) -> SponsorshipType:
    mine = viewer_id == row.sponsor_id
    return SponsorshipType(
        id=strawberry.ID(str(row.pk)),
        sponsor=_person(row.sponsor) if row.public or mine else None,
        learner=_person(row.learner),
        cohort_id=strawberry.ID(str(row.cohort_id)) if row.cohort_id else None,
        kind=row.kind,
        amount=str(row.amount),
        currency=row.currency,
        status=row.status,
        thank_you=row.thank_you,
        public=row.public,
        paid_at=row.paid_at,
        created_at=row.created_at,
        tx_ref=row.payment.tx_ref if mine and row.payment else None,
        checkout_url=row.payment.checkout_url if mine and row.payment else None,
    )


@strawberry.type
class Query:
    @strawberry.field
    def bounties(
        self,
        info: Info,
        challenge: strawberry.ID | None = None,
        status: str | None = None,
        first: int = 20,
    ) -> list[BountyType] | None:
        """Paid bounties (and the viewer's own), newest first; at most 100 (null for an
        impossible challenge id)."""
        viewer_id = _viewer_id(info)
        visible = ~Q(status__in=[BountyStatus.PENDING_PAYMENT, BountyStatus.CANCELLED])
        if viewer_id is not None:
            visible |= Q(sponsor_id=viewer_id)
        rows = selectors.bounty_list().filter(visible).order_by("-created_at", "-id")
        if challenge is not None:
            if (challenge_pk := pk_from_id(challenge)) is None:
                return None
            rows = rows.filter(challenge_id=challenge_pk)
        if status is not None:
            rows = rows.filter(status=status)
        limit = max(1, min(first, LIST_MAX))
        return [_bounty(row, viewer_id) for row in rows[:limit]]

    @strawberry.field
    def sponsorships(
        self,
        info: Info,
        learner: strawberry.ID | None = None,
        cohort: strawberry.ID | None = None,
        first: int = 20,
    ) -> list[SponsorshipType] | None:
        """Paid sponsorships (and the viewer's own), newest first; at most 100 (null for an
        impossible learner or cohort id)."""
        viewer_id = _viewer_id(info)
        visible = Q(status=SponsorshipStatus.ACTIVE)
        if viewer_id is not None:
            visible |= Q(sponsor_id=viewer_id)
        rows = selectors.sponsorship_list().filter(visible).order_by("-created_at", "-id")
        learner_pk = pk_from_id(learner) if learner is not None else 0
        cohort_pk = pk_from_id(cohort) if cohort is not None else 0
        if learner_pk is None or cohort_pk is None:
            return None
        if learner_pk:
            rows = rows.filter(learner_id=learner_pk)
        if cohort_pk:
            rows = rows.filter(cohort_id=cohort_pk)
        limit = max(1, min(first, LIST_MAX))
        return [_sponsorship(row, viewer_id) for row in rows[:limit]]


@strawberry.type
class OfferBountyResult:
    bounty: BountyType | None = None
    checkout_url: str | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class SponsorResult:
    sponsorship: SponsorshipType | None = None
    checkout_url: str | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def offer_bounty(
        self,
        info: Info,
        challenge: strawberry.ID,
        amount: str,
        currency: str = Currency.ETB.value,
        expires_in_days: int = BOUNTY_DEFAULT_DAYS,
        on_expiry: str = OnExpiry.CREDIT.value,
    ) -> OfferBountyResult:
        """Offer a bounty on an open challenge; send the payer to `checkoutUrl`."""
        found = challenge_selectors.challenge_get(pk=pk_or_not_found(challenge, field="challenge"))
        if found is None:
            raise NotFound(field="challenge")
        sponsor = authenticated_user(info.context.request)
        bounty = offers.bounty_offer(
            sponsor=sponsor,
            challenge=found,
            amount=amount,
            currency=currency,
            expires_in_days=expires_in_days,
            on_expiry=on_expiry,
        )
        fresh = selectors.bounty_get(pk=bounty.pk) or bounty
        assert fresh.payment is not None
        return OfferBountyResult(
            bounty=_bounty(fresh, sponsor.pk), checkout_url=fresh.payment.checkout_url
        )

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def sponsor(
        self,
        info: Info,
        amount: str,
        learner: strawberry.ID | None = None,
        cohort: strawberry.ID | None = None,
        kind: str = SponsorshipKind.GRANT.value,
        currency: str = Currency.ETB.value,
        thank_you: str = "",
        public: bool = True,
    ) -> SponsorResult:
        """Sponsor a learner or a cohort; send the payer to `checkoutUrl`."""
        recipients: dict[str, Any] = {}
        if learner is not None:
            recipients["learner"] = User.objects.filter(
                pk=pk_or_not_found(learner, field="learner"), is_active=True
            ).first() or _missing("learner")
        if cohort is not None:
            recipients["cohort"] = Cohort.objects.filter(
                pk=pk_or_not_found(cohort, field="cohort")
            ).first() or _missing("cohort")
        sponsor = authenticated_user(info.context.request)
        row = offers.sponsorship_offer(
            sponsor=sponsor,
            kind=kind,
            amount=amount,
            currency=currency,
            thank_you=thank_you,
            public=public,
            **recipients,
        )
        fresh = selectors.sponsorship_get(pk=row.pk) or row
        assert fresh.payment is not None
        return SponsorResult(
            sponsorship=_sponsorship(fresh, sponsor.pk), checkout_url=fresh.payment.checkout_url
        )


def _missing(field: str) -> Any:
    raise NotFound(field=field)
