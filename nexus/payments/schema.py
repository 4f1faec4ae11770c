"""GraphQL: the signed-in user's payments, balance and payouts; asking for a payout; admins'
approval and rejection. Mutations answer with the payout or typed errors."""

from decimal import Decimal
from typing import Any, cast

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.types import Info
from strawberry_django.pagination import OffsetPaginated
from strawberry_django.permissions import IsAuthenticated

from nexus.core.auth import authenticated_user
from nexus.core.graphql import FieldError, MutationErrors, NotFound, pk_or_not_found
from nexus.payments import policies, selectors
from nexus.payments.models import Payment, Payout
from nexus.payments.services import payouts as services


@strawberry_django.type(Payment, name="Payment")
class PaymentType:
    id: strawberry.auto
    tx_ref: strawberry.auto
    amount: Decimal
    currency: strawberry.auto
    status: strawberry.auto
    purpose: strawberry.auto
    purpose_id: strawberry.auto
    description: strawberry.auto
    checkout_url: strawberry.auto
    created_at: strawberry.auto
    verified_at: strawberry.auto

    @strawberry_django.field(only=["purpose", "purpose_id"])
    def purpose_label(self) -> str:
        return selectors.purpose_label(cast(Payment, self))

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[Payment], info: Info, **kwargs: Any
    ) -> QuerySet[Payment]:
        user = info.context.request.user
        if not user.is_authenticated:
            return queryset.none()
        return queryset.filter(payer=user).order_by("-created_at", "-id")


@strawberry_django.type(Payout, name="Payout")
class PayoutType:
    id: strawberry.auto
    reference: strawberry.auto
    amount: Decimal
    currency: strawberry.auto
    status: strawberry.auto
    status_reason: strawberry.auto
    account_name: strawberry.auto
    attempts: strawberry.auto
    created_at: strawberry.auto
    approved_at: strawberry.auto
    paid_at: strawberry.auto

    @strawberry_django.field(only=["account_number"])
    def account_number(self) -> str:
        """Masked: only its last four digits."""
        return f"•••• {cast(Payout, self).account_number[-4:]}"

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[Payout], info: Info, **kwargs: Any
    ) -> QuerySet[Payout]:
        user = info.context.request.user
        if not user.is_authenticated:
            return queryset.none()
        return queryset.filter(user=user).order_by("-created_at", "-id")


@strawberry.type
class Balance:
    currency: str
    amount: Decimal


@strawberry.type
class PayoutResult:
    payout: PayoutType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    my_payments: OffsetPaginated[PaymentType] = strawberry_django.offset_paginated(
        extensions=[IsAuthenticated()]
    )
    payouts: OffsetPaginated[PayoutType] = strawberry_django.offset_paginated(
        extensions=[IsAuthenticated()]
    )

    @strawberry_django.field(extensions=[IsAuthenticated()])
    def my_balance(self, info: Info) -> list[Balance]:
        totals = selectors.balances(authenticated_user(info.context.request))
        return [Balance(currency=c, amount=a) for c, a in sorted(totals.items())]


@strawberry.type
class Mutation:
    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def request_payout(self, info: Info, amount: str, currency: str = "ETB") -> PayoutResult:
        payout = services.payout_request(
            user=authenticated_user(info.context.request), amount=amount, currency=currency
        )
        return PayoutResult(payout=cast(PayoutType, payout))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def approve_payout(self, info: Info, id: strawberry.ID) -> PayoutResult:
        user = authenticated_user(info.context.request)
        payout = services.payout_approve(payout=_payout(info, id), actor=user)
        return PayoutResult(payout=cast(PayoutType, Payout.objects.get(pk=payout.pk)))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def reject_payout(self, info: Info, id: strawberry.ID, reason: str) -> PayoutResult:
        user = authenticated_user(info.context.request)
        payout = services.payout_reject(payout=_payout(info, id), actor=user, reason=reason)
        return PayoutResult(payout=cast(PayoutType, Payout.objects.get(pk=payout.pk)))


def _payout(info: Info, id: strawberry.ID) -> Payout:
    """Admins reach anyone's payout; others only their own (another's does not exist)."""
    user = authenticated_user(info.context.request)
    payouts = Payout.objects.all()
    if not policies.can_see_payment_reports(user):
        payouts = payouts.filter(user=user)
    payout = payouts.filter(pk=pk_or_not_found(id)).first()
    if payout is None:
        raise NotFound(field="id")
    return payout
