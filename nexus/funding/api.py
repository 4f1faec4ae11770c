"""REST: /api/v1/bounties/ and /api/v1/sponsorships/ — lists anyone may read (what was offered,
never who paid anonymously nor anyone's checkout link), and offers that answer 201 with the
Chapa checkout URL to send the payer to."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.accounts.models import User, Viewer
from nexus.challenges import selectors as challenge_selectors
from nexus.core.auth import authenticated_user
from nexus.core.errors import problem_response
from nexus.core.pagination import CursorPagination
from nexus.core.serializers import StrictSerializer
from nexus.funding import selectors
from nexus.funding.models import (
    BOUNTY_DAYS,
    BOUNTY_DEFAULT_DAYS,
    THANK_YOU_MAX_CHARS,
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

PAYMENTS_OFF = OpenApiResponse(description="Payments are off on this site (problem+json).")
SORTS = {"newest": ("-created_at", "-id"), "amount": ("-amount", "-id")}


def _own(viewer: Viewer, sponsor_id: int) -> bool:
    return isinstance(viewer, User) and viewer.pk == sponsor_id


def _visible(viewer: Viewer) -> Q:
    """What was paid is public; a row still waiting for (or refused) its payment is the
    sponsor's own business."""
    paid = ~Q(status__in=[BountyStatus.PENDING_PAYMENT, BountyStatus.CANCELLED])
    return paid | Q(sponsor_id=viewer.pk) if isinstance(viewer, User) else paid


class FundingPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class _PaymentFields(serializers.Serializer):
    """tx_ref and checkout_url: shown to the sponsor only."""

    tx_ref = serializers.SerializerMethodField()
    checkout_url = serializers.SerializerMethodField()

    def _mine(self, row: Any) -> bool:
        request = self.context.get("request")
        return request is not None and _own(request.user, row.sponsor_id) and row.payment

    def get_tx_ref(self, row: Any) -> str | None:
        return row.payment.tx_ref if self._mine(row) else None

    def get_checkout_url(self, row: Any) -> str | None:
        return row.payment.checkout_url or None if self._mine(row) else None


class BountySerializer(_PaymentFields, serializers.ModelSerializer):
    sponsor = FundingPersonSerializer(read_only=True)
    awarded_to = FundingPersonSerializer(read_only=True, allow_null=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Bounty
        fields = (
            *("id", "challenge", "sponsor", "amount", "currency", "status", "status_reason"),
            *("expires_at", "on_expiry", "awarded_to", "awarded_solution", "awarded_at"),
            *("closed_at", "refunded_at", "tx_ref", "checkout_url", "created_at"),
        )
        read_only_fields = fields


class BountyInput(StrictSerializer):
    challenge = serializers.IntegerField(min_value=1)
    amount = serializers.CharField(max_length=40)
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.ETB)
    expires_in_days = serializers.ChoiceField(
        choices=list(BOUNTY_DAYS), default=BOUNTY_DEFAULT_DAYS
    )
    on_expiry = serializers.ChoiceField(choices=OnExpiry.choices, default=OnExpiry.CREDIT)


class BountyFilter(django_filters.FilterSet):
    challenge = django_filters.NumberFilter(field_name="challenge_id", min_value=1)
    sponsor = django_filters.NumberFilter(field_name="sponsor_id", min_value=1)
    status = django_filters.ChoiceFilter(choices=BountyStatus.choices)
    ordering = django_filters.ChoiceFilter(
        choices=[("newest", "Newest"), ("amount", "Largest")],
        method="filter_ordering",
        label="Order (newest, amount)",
    )

    class Meta:
        model = Bounty
        fields = ("challenge", "sponsor", "status", "ordering")

    def filter_ordering(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset  # the pagination orders


class SortedPagination(CursorPagination):
    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        return SORTS.get(request.query_params.get("ordering") or "", SORTS["newest"])


def _payments_off() -> Response:
    return problem_response(503, detail=str(PaymentsDisabled()), code="payments_disabled")  # type: ignore[return-value]


@extend_schema(tags=["funding"])
class BountyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Bounty]
):
    """Bounties on challenges: open ones wait for an accepted answer; paid ones are public."""

    serializer_class = BountySerializer
    filterset_class = BountyFilter
    filter_backends = (DjangoFilterBackend,)
    pagination_class = SortedPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Bounty]:
        return selectors.bounty_list().filter(_visible(self.request.user))

    @extend_schema(
        request=BountyInput,
        responses={201: BountySerializer, 503: PAYMENTS_OFF},
        examples=[
            OpenApiExample(
                "500 birr for two weeks",
                request_only=True,
                value={"challenge": 7, "amount": "500.00", "currency": "ETB"},
            )
        ],
    )
    def create(self, request: Request) -> Response:
        """Offer a bounty; send the payer to `checkout_url`. It opens once the payment is in."""
        data = BountyInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        challenge = challenge_selectors.challenge_get(pk=fields["challenge"])
        if challenge is None:
            raise serializers.ValidationError({"challenge": ["No such challenge."]})
        try:
            bounty = offers.bounty_offer(
                sponsor=authenticated_user(request),
                challenge=challenge,
                amount=fields["amount"],
                currency=fields["currency"],
                expires_in_days=fields["expires_in_days"],
                on_expiry=fields["on_expiry"],
            )
        except PaymentsDisabled:
            return _payments_off()
        body = BountySerializer(bounty, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class SponsorshipSerializer(_PaymentFields, serializers.ModelSerializer):
    sponsor = serializers.SerializerMethodField()
    learner = FundingPersonSerializer(read_only=True, allow_null=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Sponsorship
        fields = (
            *("id", "sponsor", "learner", "cohort", "kind", "amount", "currency", "status"),
            *("thank_you", "public", "paid_at", "tx_ref", "checkout_url", "created_at"),
        )
        read_only_fields = fields

    def get_sponsor(self, row: Sponsorship) -> dict[str, Any] | None:
        """The sponsor, or null when they chose to stay anonymous (they still see themselves)."""
        request = self.context.get("request")
        if row.public or (request is not None and _own(request.user, row.sponsor_id)):
            return {"id": row.sponsor_id, "display_name": row.sponsor.display_name}
        return None


class SponsorshipInput(StrictSerializer):
    learner = serializers.IntegerField(min_value=1, required=False)
    cohort = serializers.IntegerField(min_value=1, required=False)
    kind = serializers.ChoiceField(choices=SponsorshipKind.choices, default=SponsorshipKind.GRANT)
    amount = serializers.CharField(max_length=40)
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.ETB)
    thank_you = serializers.CharField(
        max_length=THANK_YOU_MAX_CHARS, required=False, allow_blank=True, default=""
    )
    public = serializers.BooleanField(default=True)


class SponsorshipFilter(django_filters.FilterSet):
    learner = django_filters.NumberFilter(field_name="learner_id", min_value=1)
    cohort = django_filters.NumberFilter(field_name="cohort_id", min_value=1)
    status = django_filters.ChoiceFilter(choices=SponsorshipStatus.choices)
    ordering = django_filters.ChoiceFilter(
        choices=[("newest", "Newest"), ("amount", "Largest")],
        method="filter_ordering",
        label="Order (newest, amount)",
    )

    class Meta:
        model = Sponsorship
        fields = ("learner", "cohort", "status", "ordering")

    def filter_ordering(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset  # the pagination orders


@extend_schema(tags=["funding"])
class SponsorshipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Sponsorship]
):
    """Sponsorships of learners and cohorts; anonymous sponsors show as null."""

    serializer_class = SponsorshipSerializer
    filterset_class = SponsorshipFilter
    filter_backends = (DjangoFilterBackend,)
    pagination_class = SortedPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Sponsorship]:
        viewer = self.request.user
        paid = Q(status=SponsorshipStatus.ACTIVE)
        mine = Q(sponsor_id=viewer.pk) if isinstance(viewer, User) else Q(pk__in=[])
        return selectors.sponsorship_list().filter(paid | mine)

    @extend_schema(
        request=SponsorshipInput, responses={201: SponsorshipSerializer, 503: PAYMENTS_OFF}
    )
    def create(self, request: Request) -> Response:
        """Sponsor a learner (`learner`) or a cohort (`cohort`); send the payer to checkout_url."""
        data = SponsorshipInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        learner_id, cohort_id = fields.pop("learner", None), fields.pop("cohort", None)
        learner = get_object_or_404(User, pk=learner_id, is_active=True) if learner_id else None
        cohort = get_object_or_404(Cohort, pk=cohort_id) if cohort_id else None
        try:
            sponsorship = offers.sponsorship_offer(
                sponsor=authenticated_user(request), learner=learner, cohort=cohort, **fields
            )
        except PaymentsDisabled:
            return _payments_off()
        body = SponsorshipSerializer(sponsorship, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)
