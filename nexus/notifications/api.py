"""REST endpoints: /api/v1/notifications/, /api/v1/subscriptions/, /api/v1/webhooks/."""

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.accounts.policies import is_team_member
from nexus.accounts.selectors import team_by_reference
from nexus.core.auth import authenticated_user
from nexus.core.serializers import StrictSerializer
from nexus.notifications import selectors, services
from nexus.notifications.models import Notification, Subscription, Webhook, WebhookDelivery
from nexus.notifications.policies import can_view_webhook
from nexus.notifications.registry import EVENT_TYPES, Frequency

EVENT_CHOICES = [(name, event.label) for name, event in EVENT_TYPES.items()]


# --- Serializers ------------------------------------------------------------------------------
class ActorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class NotificationSerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event_name")
    actor = ActorSerializer(allow_null=True)
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = (
            "id",
            "event",
            "title",
            "url",
            "actor",
            "subject_type",
            "subject_id",
            "is_read",
            "read_at",
            "created_at",
        )
        read_only_fields = fields

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class PreferencesSerializer(serializers.Serializer):
    preferences = serializers.DictField(
        child=serializers.ChoiceField(choices=Frequency.choices),
        help_text="Event type → instant / daily / weekly / never.",
    )


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            event: {"type": "string", "enum": Frequency.values} for event in EVENT_TYPES
        },
        "additionalProperties": False,
    }
)
class FrequencyByEventField(serializers.DictField):
    """Event type -> e-mail frequency; the service names each unknown type or frequency."""


class PreferencesInput(StrictSerializer):
    preferences = FrequencyByEventField(
        child=serializers.CharField(max_length=16), required=False, default=dict
    )

    def validate_preferences(self, value: dict[str, str]) -> dict[str, str]:
        if len(value) > len(EVENT_TYPES):
            raise serializers.ValidationError("Too many event types.")
        return value


class SubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subscription
        fields = ("id", "target_type", "target_id", "created_at")
        read_only_fields = fields


class SubscriptionInput(StrictSerializer):
    target_type = serializers.RegexField(
        services.TARGET_TYPE,
        max_length=64,
        help_text='"app.model", such as "knowledge.article".',
        error_messages={"invalid": 'Use an "app.model" name such as "knowledge.article".'},
    )
    target_id = serializers.RegexField(
        r"\S",
        max_length=64,
        help_text="The id or slug of what to follow.",
        error_messages={"invalid": "Give the id or slug of what to follow."},
    )


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.CharField())
    team: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The owning team's slug; null for a user's own webhook.",
    )

    class Meta:
        model = Webhook
        fields: tuple[str, ...] = (
            "id",
            "team",
            "url",
            "events",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "created_at",
            "updated_at",
        )
        read_only_fields: tuple[str, ...] = fields


class WebhookWithSecretSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text="The signing secret. It is shown only this once.")

    class Meta(WebhookSerializer.Meta):
        fields = (*WebhookSerializer.Meta.fields, "secret")
        read_only_fields = fields


class WebhookInput(StrictSerializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.CharField(max_length=64), min_length=1, max_length=len(EVENT_TYPES)
    )
    is_active = serializers.BooleanField(required=False)
    team = serializers.CharField(
        max_length=80,
        required=False,
        allow_null=True,
        help_text="A team's slug (or id) to register a team webhook; only team owners may.",
    )


class DeliverySerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event_name")

    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "event",
            "event_id",
            "status",
            "attempts",
            "response_status",
            "error",
            "delivered_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


# --- Filters ----------------------------------------------------------------------------------
class NotificationFilter(django_filters.FilterSet):
    # A choice, not a boolean: "unread=perhaps" must be a 400, not silently ignored.
    unread = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_unread"
    )
    event = django_filters.CharFilter(field_name="event_name")

    class Meta:
        model = Notification
        fields = ("unread", "event")

    def filter_unread(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(read_at__isnull=value == "true")


# --- Views ------------------------------------------------------------------------------------
@extend_schema(tags=["notifications"])
class NotificationViewSet(viewsets.GenericViewSet):
    """The signed-in user's notifications: list, mark read, unread count, e-mail preferences."""

    permission_classes = (permissions.IsAuthenticated,)
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return selectors.notification_list(user=authenticated_user(self.request))

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(NotificationSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        notification = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        """Mark one notification read."""
        notification = get_object_or_404(self.get_queryset(), pk=pk)
        services.notification_mark_read(
            notification=notification, actor=authenticated_user(request)
        )
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        """Mark every notification read."""
        marked = services.notifications_mark_all_read(user=authenticated_user(request))
        return Response({"marked": marked})

    @extend_schema(responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count", filterset_class=None)
    def unread_count(self, request: Request) -> Response:
        """How many are unread (the bell's number)."""
        return Response({"unread": selectors.unread_count(user=authenticated_user(request))})

    @extend_schema(methods=["GET"], responses=PreferencesSerializer)
    @extend_schema(methods=["PATCH"], request=PreferencesInput, responses=PreferencesSerializer)
    @action(detail=False, methods=["get", "patch"], filterset_class=None)
    def preferences(self, request: Request) -> Response:
        """E-mail frequency per event type; PATCH only the types to change."""
        user = authenticated_user(request)
        if request.method == "PATCH":
            data = PreferencesInput(data=request.data)
            data.is_valid(raise_exception=True)
            services.email_preferences_update(
                user=user, preferences=data.validated_data["preferences"]
            )
        return Response({"preferences": selectors.email_preferences(user=user)})


@extend_schema(tags=["subscriptions"])
class SubscriptionViewSet(viewsets.GenericViewSet):
    """What the signed-in user follows."""

    permission_classes = (permissions.IsAuthenticated,)
    serializer_class = SubscriptionSerializer
    filterset_fields = ("target_type", "target_id")

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Subscription.objects.none()
        return selectors.subscription_list(user=authenticated_user(self.request))

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(SubscriptionSerializer(page, many=True).data)

    @extend_schema(request=SubscriptionInput, responses={201: SubscriptionSerializer})
    def create(self, request: Request) -> Response:
        data = SubscriptionInput(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.subscription_create(
            user=authenticated_user(request), **data.validated_data
        )
        return Response(SubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        subscription = get_object_or_404(self.get_queryset(), pk=pk)
        services.subscription_delete(subscription=subscription, actor=authenticated_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["webhooks"])
class WebhookViewSet(viewsets.GenericViewSet):
    """Webhooks of the signed-in user and of their teams, secrets (shown once), delivery logs."""

    permission_classes = (permissions.IsAuthenticated,)
    serializer_class = WebhookSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Webhook.objects.none()
        return selectors.webhook_list(user=authenticated_user(self.request))

    def _webhook(self, request: Request, pk: str) -> Webhook:
        """A webhook the user may see (else 404); services refuse (403) who may not manage it."""
        webhook = get_object_or_404(self.get_queryset(), pk=pk)
        if not can_view_webhook(request.user, webhook):
            self.permission_denied(request)
        return webhook

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WebhookSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(WebhookSerializer(self._webhook(request, pk)).data)

    @extend_schema(request=WebhookInput, responses={201: WebhookWithSecretSerializer})
    def create(self, request: Request) -> Response:
        data = WebhookInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k not in ("is_active", "team")}
        user = authenticated_user(request)
        reference = data.validated_data.get("team")
        team = None
        if reference is not None:
            team = team_by_reference(reference)
            if team is None or not is_team_member(user, team):
                raise ValidationError({"team": ["No team of yours has this slug or id."]})
        webhook, secret = services.webhook_create(actor=user, team=team, **fields)
        body = {**WebhookSerializer(webhook).data, "secret": secret}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookInput, responses=WebhookSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        webhook = self._webhook(request, pk)
        data = WebhookInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "team" in data.validated_data:
            raise ValidationError({"team": ["The owner of a webhook cannot be changed."]})
        services.webhook_update(
            webhook=webhook, actor=authenticated_user(request), **data.validated_data
        )
        return Response(WebhookSerializer(webhook).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        services.webhook_delete(
            webhook=self._webhook(request, pk), actor=authenticated_user(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=WebhookWithSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str) -> Response:
        """A new signing secret, shown once; the old one stops working at once."""
        webhook = self._webhook(request, pk)
        secret = services.webhook_rotate_secret(webhook=webhook, actor=authenticated_user(request))
        return Response({**WebhookSerializer(webhook).data, "secret": secret})

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str) -> Response:
        """The delivery log, newest first."""
        webhook = self._webhook(request, pk)
        page = self.paginate_queryset(selectors.delivery_list(webhook=webhook))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[0-9a-f-]{36})/redeliver",
    )
    def redeliver(self, request: Request, pk: str, delivery_id: str) -> Response:
        """Send a logged delivery again."""
        webhook = self._webhook(request, pk)
        delivery = get_object_or_404(selectors.delivery_list(webhook=webhook), pk=delivery_id)
        services.webhook_redeliver(delivery=delivery, actor=authenticated_user(request))
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
