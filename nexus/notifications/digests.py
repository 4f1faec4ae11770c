"""Daily and weekly digests: one e-mail per user across everything pending at that frequency."""

from django.utils import timezone

from nexus.accounts.models import User
from nexus.notifications.channels.email import (
    ALL_EVENTS,
    build_message,
    digest_sections,
    digest_subject,
    send_messages,
)
from nexus.notifications.models import Notification

DIGEST_LIMIT = 50


def pending_digest_user_ids(frequency: str) -> list[int]:
    """Users with notifications waiting for this digest."""
    pending = Notification.objects.filter(email_frequency=frequency, emailed_at=None)
    return sorted(set(pending.values_list("recipient_id", flat=True)))


def digest_send(*, user_id: int, frequency: str) -> bool:
    """Send one user's digest and mark what it covered as e-mailed; False when nothing waits."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    started = timezone.now()
    pending = Notification.objects.filter(
        recipient_id=user_id, email_frequency=frequency, emailed_at=None, created_at__lte=started
    ).order_by("-created_at", "-id")
    items = list(pending[:DIGEST_LIMIT])
    if user is None or not items:
        return False
    total = pending.count()
    message = build_message(
        to=user.email,
        user_id=user.pk,
        subject=digest_subject(frequency, total),
        template="digest",
        context={"user": user, "sections": digest_sections(items), "more": total - len(items)},
        event_type=ALL_EVENTS,
    )
    send_messages([message])
    pending.update(emailed_at=started)
    return True
