"""REST: the signed-in user's own ledger view — their payments, the movements touching their
accounts, and their balance per currency."""

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.core.auth import authenticated_user
from nexus.payments import selectors
from nexus.payments.models import LedgerEntry, Payment


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    fee = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=True, allow_null=True
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    purpose_label = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = (
            "id",
            "tx_ref",
            "amount",
            "currency",
            "status",
            "status_label",
            "purpose",
            "purpose_id",
            "purpose_label",
            "description",
            "checkout_url",
            "fee",
            "created_at",
            "verified_at",
        )
        read_only_fields = fields

    def get_purpose_label(self, payment: Payment) -> str:
        return selectors.purpose_label(payment)


class MovementSerializer(serializers.ModelSerializer[LedgerEntry]):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    direction = serializers.SerializerMethodField()
    tx_ref = serializers.SerializerMethodField()
    payout_reference = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = (
            "id",
            "kind",
            "kind_label",
            "direction",
            "amount",
            "currency",
            "memo",
            "tx_ref",
            "payout_reference",
            "created_at",
        )
        read_only_fields = fields

    def get_direction(self, entry: LedgerEntry) -> str:
        """ "in" when the money arrived at one of the viewer's accounts, else "out"."""
        return "in" if entry.destination.user_id == self.context["user_id"] else "out"

    def get_tx_ref(self, entry: LedgerEntry) -> str | None:
        return entry.payment.tx_ref if entry.payment else None

    def get_payout_reference(self, entry: LedgerEntry) -> str | None:
        return entry.payout.reference if entry.payout else None


BalanceSerializer = inline_serializer(
    "PaymentBalance",
    fields={
        "results": serializers.ListField(
            child=inline_serializer(
                "CurrencyBalance",
                fields={"currency": serializers.CharField(), "amount": serializers.CharField()},
            )
        )
    },
)


@extend_schema(tags=["payments"])
class MyPaymentViewSet(viewsets.GenericViewSet):
    """The signed-in user's payments (what they paid or started paying), newest first."""

    permission_classes = (permissions.IsAuthenticated,)
    serializer_class = PaymentSerializer
    queryset = Payment.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        return selectors.payments_of(authenticated_user(self.request))

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PaymentSerializer(page, many=True).data)

    @extend_schema(responses=MovementSerializer(many=True))
    @action(detail=False, methods=["get"])
    def movements(self, request: Request) -> Response:
        """Every movement into or out of the user's accounts: charges, holds, awards, payouts."""
        user = authenticated_user(request)
        page = self.paginate_queryset(selectors.movements_of(user))
        data = MovementSerializer(page, many=True, context={"user_id": user.pk}).data
        return self.get_paginated_response(data)

    @extend_schema(responses=BalanceSerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    def balance(self, request: Request) -> Response:
        """The user's credit per currency (what a payout may take)."""
        totals = selectors.balances(authenticated_user(request))
        return Response(
            {"results": [{"currency": c, "amount": str(a)} for c, a in sorted(totals.items())]}
        )
