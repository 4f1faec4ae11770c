"""Daily and weekly digests: one e-mail per user across everything pending at that frequency.

Besides pending notifications, a digest carries the sections other apps register in
digest_sections.py, each covering the digest's period (a day or a week).
"""

from datetime import datetime, timedelta
from typing import Any

from nexus.accounts.models import User
from nexus.core import clock
from nexus.notifications.channels.email import (
    ALL_EVENTS,
    absolute,
    build_message,
    digest_sections,
    digest_subject,
    send_messages,
)
from nexus.notifications.digest_sections import registered_digest_sections
from nexus.notifications.models import Notification
from nexus.notifications.registry import Frequency

DIGEST_LIMIT = 50
PERIODS: dict[str, timedelta] = {
    Frequency.DAILY: timedelta(days=1),
    Frequency.WEEKLY: timedelta(days=7),
}


def _period_start(frequency: str, now: datetime) -> datetime:
    return now - PERIODS.get(frequency, timedelta(days=1))


def pending_digest_user_ids(frequency: str) -> list[int]:
    """Users with notifications waiting for this digest or items in a registered section."""
    pending = Notification.objects.filter(email_frequency=frequency, emailed_at=None)
    ids = set(pending.values_list("recipient_id", flat=True))
    since = _period_start(frequency, clock.now())
    for section in registered_digest_sections():
        ids.update(section.recipient_ids(since))
    return sorted(ids)


def _registered_sections(*, user: User, since: datetime) -> list[dict[str, Any]]:
    """The registered sections that have items for the user, ready for the e-mail template."""
    rendered = []
    for section in registered_digest_sections():
        items = section.items(user, since)
        if items:
            links = [{"title": item.title, "link": absolute(item.url)} for item in items]
            rendered.append({"label": section.label, "items": links})
    return rendered


def digest_send(*, user_id: int, frequency: str) -> bool:
    """Send one user's digest and mark what it covered as e-mailed; False when nothing waits."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    started = clock.now()
    pending = Notification.objects.filter(
        recipient_id=user_id, email_frequency=frequency, emailed_at=None, created_at__lte=started
    ).order_by("-created_at", "-id")
    items = list(pending[:DIGEST_LIMIT])
    registered = _registered_sections(user=user, since=_period_start(frequency, started))
    if not items and not registered:
        return False
    total = pending.count() if items else 0
    count = total + sum(len(section["items"]) for section in registered)
    message = build_message(
        to=user.email,
        user_id=user.pk,
        subject=digest_subject(frequency, count),
        template="digest",
        context={
            "user": user,
            "sections": digest_sections(items) + registered,
            "more": total - len(items),
        },
        event_type=ALL_EVENTS,
    )
    send_messages([message])
    if items:
        pending.update(emailed_at=started)
    return True
