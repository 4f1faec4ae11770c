from django.contrib import admin

from nexus.notifications.models import (
    EmailPreference,
    Notification,
    Subscription,
    Webhook,
    WebhookDelivery,
)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("user", "target_type", "target_id", "created_at")
    list_filter = ("target_type",)
    search_fields = ("user__email", "target_id")
    list_select_related = ("user",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "event_name", "title", "read_at", "email_frequency", "created_at")
    list_filter = ("event_name", "email_frequency")
    search_fields = ("recipient__email", "title")
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient", "actor")


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "event_type", "frequency")
    list_filter = ("event_type", "frequency")
    list_select_related = ("user",)


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("url", "owner", "team", "is_active", "consecutive_failures", "disabled_at")
    list_filter = ("is_active",)
    search_fields = ("url", "owner__email", "team__slug")
    exclude = ("secret",)
    list_select_related = ("owner", "team")
    raw_id_fields = ("owner", "team")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event_name", "webhook", "status", "attempts", "response_status", "created_at")
    list_filter = ("status", "event_name")
    list_select_related = ("webhook",)
    raw_id_fields = ("webhook",)
