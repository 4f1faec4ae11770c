"""REST: the signed-in user's payout method and payouts; the admins' approval queue."""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.core.auth import authenticated_user
from nexus.core.pagination import CursorPagination
from nexus.core.serializers import StrictSerializer
from nexus.payments import policies, selectors
from nexus.payments.models import Currency, Payout, PayoutMethod
from nexus.payments.services import payouts as services


class OldestFirst(CursorPagination):
    ordering = ("created_at", "id")


class PayoutMethodSerializer(serializers.ModelSerializer[PayoutMethod]):
    account_number = serializers.CharField(source="masked_number", read_only=True)

    class Meta:
        model = PayoutMethod
        fields = ("kind", "bank_code", "bank_name", "account_name", "account_number", "updated_at")
        read_only_fields = fields


class PayoutMethodInput(StrictSerializer):
    bank_code = serializers.CharField(max_length=64)
    account_name = serializers.CharField(max_length=120)
    account_number = serializers.CharField(max_length=40, help_text="6 to 20 digits.")


class PayoutSerializer(serializers.ModelSerializer[Payout]):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    account_number = serializers.SerializerMethodField()

    class Meta:
        model = Payout
        fields = (
            "id",
            "reference",
            "amount",
            "currency",
            "status",
            "status_label",
            "status_reason",
            "account_name",
            "account_number",
            "attempts",
            "created_at",
            "approved_at",
            "paid_at",
        )
        read_only_fields = fields

    def get_account_number(self, payout: Payout) -> str:
        return f"•••• {payout.account_number[-4:]}"


class PayoutInput(StrictSerializer):
    amount = serializers.CharField(max_length=40, help_text='A decimal string, e.g. "150.50".')
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.ETB)


class RejectInput(StrictSerializer):
    reason = serializers.CharField(max_length=250)


@extend_schema(tags=["payments"])
class PayoutViewSet(viewsets.GenericViewSet):
    """The signed-in user's payouts (their credit sent to their bank or mobile money); admins
    list the payouts waiting for approval and approve or reject them."""

    permission_classes = (permissions.IsAuthenticated,)
    serializer_class = PayoutSerializer
    queryset = Payout.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Payout.objects.none()
        return selectors.payouts_of(authenticated_user(self.request))

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PayoutSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(PayoutSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    @extend_schema(request=PayoutInput, responses={201: PayoutSerializer})
    def create(self, request: Request) -> Response:
        data = PayoutInput(data=request.data)
        data.is_valid(raise_exception=True)
        payout = services.payout_request(user=authenticated_user(request), **data.validated_data)
        payout.refresh_from_db()
        return Response(PayoutSerializer(payout).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=PayoutSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="awaiting-approval")
    def awaiting_approval(self, request: Request) -> Response:
        """Admins: every payout waiting for approval, oldest first."""
        if not policies.can_see_payment_reports(authenticated_user(request)):
            raise PermissionDenied("Only admins see the payouts waiting for approval.")
        paginator = OldestFirst()
        page = paginator.paginate_queryset(selectors.payouts_awaiting_approval(), request, self)
        return paginator.get_paginated_response(PayoutSerializer(page, many=True).data)

    @extend_schema(request=None, responses=PayoutSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Admins: let a payout above the approval amount go."""
        payout = services.payout_approve(
            payout=self._any_payout(request, pk), actor=authenticated_user(request)
        )
        return Response(PayoutSerializer(Payout.objects.get(pk=payout.pk)).data)

    @extend_schema(request=RejectInput, responses=PayoutSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """Admins: refuse a payout; its money goes back to the user's credit."""
        payout = self._any_payout(request, pk)
        data = RejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        payout = services.payout_reject(
            payout=payout, actor=authenticated_user(request), reason=data.validated_data["reason"]
        )
        return Response(PayoutSerializer(Payout.objects.get(pk=payout.pk)).data)

    @extend_schema(methods=["GET"], responses=PayoutMethodSerializer)
    @extend_schema(methods=["PUT"], request=PayoutMethodInput, responses=PayoutMethodSerializer)
    @action(detail=False, methods=["get", "put"])
    def method(self, request: Request) -> Response:
        """Where the signed-in user's payouts go (the number masked); 404 until they set it."""
        user = authenticated_user(request)
        if request.method == "PUT":
            data = PayoutMethodInput(data=request.data)
            data.is_valid(raise_exception=True)
            services.payout_method_set(actor=user, **data.validated_data)
        method = get_object_or_404(PayoutMethod, user=user)
        return Response(PayoutMethodSerializer(method).data)

    def _any_payout(self, request: Request, pk: str) -> Payout:
        """Admins may act on anyone's payout; others get a 404 for payouts not their own."""
        if policies.can_see_payment_reports(authenticated_user(request)):
            return get_object_or_404(Payout, pk=pk)
        return get_object_or_404(self.get_queryset(), pk=pk)
