"""E-mail: instant messages per notification and digests, each with a signed unsubscribe link."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from nexus.core import taskqueue
from nexus.core.models import OutboxEvent
from nexus.notifications.models import EmailPreference, Notification
from nexus.notifications.registry import Frequency, default_frequency, label_for

from .base import Channel

UNSUBSCRIBE_SALT = "nexus.notifications.unsubscribe"
ALL_EVENTS = "*"


def unsubscribe_token(user_id: int, event_type: str) -> str:
    """A signed token that turns off e-mail for one event type (or all, with "*") for one user."""
    return signing.dumps({"u": user_id, "e": event_type}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """The (user id, event type) of a token; signing.BadSignature when it was tampered with."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise signing.BadSignature("Malformed unsubscribe token.")
    return data["u"], str(data.get("e", ALL_EVENTS))


def absolute(path: str) -> str:
    return settings.NEXUS_BASE_URL.rstrip("/") + path


def build_message(
    *, to: str, user_id: int, subject: str, template: str, context: dict[str, Any], event_type: str
) -> EmailMultiAlternatives:
    """A multipart (plain text and HTML) message with one-click unsubscribe (RFC 8058) headers."""
    unsubscribe_url = absolute(
        reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id, event_type)])
    )
    context = {**context, "unsubscribe_url": unsubscribe_url, "base_url": settings.NEXUS_BASE_URL}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"notifications/email/{template}.txt", context),
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string(f"notifications/email/{template}.html", context), "text/html"
    )
    return message


def instant_message(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail for one notification; its Message-ID is stable so a resend can be deduplicated."""
    message = build_message(
        to=notification.recipient.email,
        user_id=notification.recipient_id,
        subject=f"[Nexus] {notification.title}",
        template="instant",
        context={"notification": notification, "link": absolute(notification.url or "/")},
        event_type=notification.event_name,
    )
    message.extra_headers["Message-ID"] = f"<notification-{notification.pk}@nexus>"
    return message


def send_messages(messages: Iterable[EmailMultiAlternatives]) -> int:
    """Send over one connection."""
    with get_connection() as connection:
        return connection.send_messages(list(messages)) or 0


class EmailChannel(Channel):
    name = "email"

    def fan_out(self, event: OutboxEvent, recipient_ids: Sequence[int]) -> None:
        # One query for the batch's preferences, then at most one UPDATE per frequency.
        chosen = dict(
            EmailPreference.objects.filter(
                user_id__in=recipient_ids, event_type=event.name
            ).values_list("user_id", "frequency")
        )
        by_frequency: dict[str, list[int]] = {}
        fallback = default_frequency(event.name)
        for recipient_id in recipient_ids:
            by_frequency.setdefault(chosen.get(recipient_id, fallback), []).append(recipient_id)
        for frequency, ids in by_frequency.items():
            if frequency != Frequency.NEVER:
                Notification.objects.filter(
                    event_id=event.pk, recipient_id__in=ids, emailed_at=None
                ).update(email_frequency=frequency)

    def dispatch(self, event: OutboxEvent) -> None:
        pending = Notification.objects.filter(
            event_id=event.pk, email_frequency=Frequency.INSTANT, emailed_at=None
        )
        if pending.exists():
            taskqueue.enqueue("nexus.notifications.tasks.send_instant_emails", str(event.pk))


def digest_subject(frequency: str, count: int) -> str:
    period = "daily" if frequency == Frequency.DAILY else "weekly"
    return f"[Nexus] Your {period} digest: {count} update{'s' if count != 1 else ''}"


def digest_sections(notifications: Sequence[Notification]) -> list[dict[str, Any]]:
    """Notifications grouped by event type, in the order the registry lists them."""
    groups: dict[str, list[Notification]] = {}
    for notification in notifications:
        groups.setdefault(notification.event_name, []).append(notification)
    return [
        {
            "label": label_for(name),
            "items": [{"title": n.title, "link": absolute(n.url or "/")} for n in items],
        }
        for name, items in groups.items()
    ]
