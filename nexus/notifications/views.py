"""Web pages: the bell, the notification list, e-mail preferences, unsubscribe, webhooks."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from nexus.accounts.selectors import teams_owned_by
from nexus.core.auth import authenticated_user
from nexus.core.htmx import render_page
from nexus.notifications import selectors, services
from nexus.notifications.forms import PreferencesForm, WebhookForm
from nexus.notifications.models import Notification, Webhook
from nexus.notifications.policies import can_manage_webhook, can_view_webhook
from nexus.notifications.registry import EVENT_TYPES

PAGE_SIZE = 30


@require_GET
@never_cache
def bell(request: HttpRequest) -> HttpResponse:
    """The unread count in the nav; htmx polls it."""
    count = selectors.unread_count(user=request.user) if request.user.is_authenticated else 0
    context = {"unread_count": count, "poll_seconds": settings.NEXUS_BELL_POLL_SECONDS}
    return render(request, "notifications/partials/bell.html", context)


def _page(queryset: QuerySet[Notification], before: str) -> tuple[list[Notification], str]:
    """A keyset page (newest first) and the cursor of the next one."""
    if before and "_" in before:
        stamp, _, pk = before.rpartition("_")
        moment: datetime | None = parse_datetime(stamp)
        if moment is not None and pk.isdigit():
            queryset = queryset.filter(
                Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=int(pk))
            )
    items = list(queryset[: PAGE_SIZE + 1])
    more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    cursor = f"{items[-1].created_at.isoformat()}_{items[-1].pk}" if more and items else ""
    return items, cursor


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    queryset = selectors.notification_list(user=user)
    if request.GET.get("unread") == "1":
        queryset = queryset.filter(read_at=None)
    items, cursor = _page(queryset, request.GET.get("before", ""))
    context = {
        "notifications": items,
        "next_cursor": cursor,
        "unread_only": request.GET.get("unread") == "1",
        "unread_count": selectors.unread_count(user=user),
    }
    return render_page(
        request, "notifications/list.html", "notifications/partials/items.html", context
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read, then go to what the notification is about."""
    user = authenticated_user(request)
    notification = get_object_or_404(selectors.notification_list(user=user), pk=notification_id)
    services.notification_mark_read(notification=notification, actor=user)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "notifications/partials/item.html", {"n": notification})
    return redirect(notification.url or "notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    marked = services.notifications_mark_all_read(user=authenticated_user(request))
    messages.success(request, f"{marked} notification{'s' if marked != 1 else ''} marked read.")
    return redirect("notifications:list")


@login_required
@require_POST
def follow(request: HttpRequest) -> HttpResponse:
    """Follow or unfollow a target from a Follow button; answers with the button (or goes back)."""
    user = authenticated_user(request)
    target_type = request.POST.get("target_type", "")
    target_id = request.POST.get("target_id", "")
    try:
        if request.POST.get("follow") == "1":
            services.subscription_create(user=user, target_type=target_type, target_id=target_id)
        else:
            services.subscription_remove(user=user, target_type=target_type, target_id=target_id)
    except ValidationError:
        return HttpResponse("This cannot be followed.", status=400)
    if not request.htmx:  # type: ignore[attr-defined]
        back = request.headers.get("Referer", "")
        safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
        return redirect(back if safe else "notifications:list")
    following = selectors.is_following(user=user, target_type=target_type, target_id=target_id)
    context = {
        "show": True,
        "following": following,
        "target_type": target_type,
        "target_id": target_id,
    }
    return render(request, "notifications/partials/follow_button.html", context)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    form = PreferencesForm(request.POST or None, initial=selectors.email_preferences(user=user))
    if request.method == "POST" and form.is_valid():
        services.email_preferences_update(user=user, preferences=form.cleaned_data)
        messages.success(request, "Your e-mail preferences are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@csrf_exempt  # RFC 8058 one-click POSTs come from mail clients; the signed token is the proof.
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation (link scanners must not unsubscribe anyone); POST applies it."""
    context: dict[str, Any] = {"token": token}
    if request.method == "POST":
        try:
            _, event_type = services.email_unsubscribe(token=token)
        except ValidationError:
            return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
        label = EVENT_TYPES[event_type].label if event_type in EVENT_TYPES else "all Nexus e-mail"
        context.update(done=True, label=label)
    return render(request, "notifications/unsubscribe.html", context)


@login_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    teams = teams_owned_by(user=user)
    form = WebhookForm(request.POST or None, teams=teams)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "team"}
        try:
            webhook, secret = services.webhook_create(
                actor=user, team=form.cleaned_data.get("team"), **fields
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = WebhookForm(teams=teams)
            context.update(form=form, new_secret=secret, new_webhook=webhook)
    context["webhooks"] = selectors.webhook_list(user=user)[:50]
    return render(request, "notifications/webhooks.html", context)


def _visible_webhook(request: HttpRequest, webhook_id: int) -> Webhook:
    """A webhook the user may see (else 404); the services refuse (403) who may not manage it."""
    user = authenticated_user(request)
    webhook = get_object_or_404(selectors.webhook_list(user=user), pk=webhook_id)
    if not can_view_webhook(user, webhook):
        raise PermissionDenied
    return webhook


def _detail_context(request: HttpRequest, webhook: Webhook) -> dict[str, Any]:
    return {
        "webhook": webhook,
        "deliveries": selectors.delivery_list(webhook=webhook)[:50],
        "can_manage": can_manage_webhook(request.user, webhook),
    }


@login_required
@require_GET
def webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = _visible_webhook(request, webhook_id)
    return render(request, "notifications/webhook_detail.html", _detail_context(request, webhook))


@login_required
@require_POST
def webhook_rotate(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = _visible_webhook(request, webhook_id)
    secret = services.webhook_rotate_secret(webhook=webhook, actor=authenticated_user(request))
    context = {**_detail_context(request, webhook), "new_secret": secret}
    return render(request, "notifications/webhook_detail.html", context)


@login_required
@require_POST
def webhook_toggle(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = _visible_webhook(request, webhook_id)
    services.webhook_update(
        webhook=webhook, actor=authenticated_user(request), is_active=not webhook.is_active
    )
    return redirect("notifications:webhook_detail", webhook_id=webhook.pk)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    services.webhook_delete(
        webhook=_visible_webhook(request, webhook_id), actor=authenticated_user(request)
    )
    messages.success(request, "The webhook is deleted.")
    return redirect("notifications:webhooks")


@login_required
@require_POST
def webhook_redeliver(request: HttpRequest, webhook_id: int, delivery_id: str) -> HttpResponse:
    webhook = _visible_webhook(request, webhook_id)
    delivery = get_object_or_404(selectors.delivery_list(webhook=webhook), pk=delivery_id)
    services.webhook_redeliver(delivery=delivery, actor=authenticated_user(request))
    messages.success(request, "The delivery is queued again.")
    return redirect("notifications:webhook_detail", webhook_id=webhook.pk)
