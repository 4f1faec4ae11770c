"""Daily and weekly digests: one e-mail per user across everything pending at that frequency.

Besides pending notifications, a digest lists the open, unanswered challenges asked during its
period (a day or a week) in the technologies and tags the user follows.
"""

from datetime import datetime, timedelta
from typing import Any

from nexus.accounts.models import User
from nexus.challenges.selectors import unanswered_challenge_targets, unanswered_challenges
from nexus.core import clock
from nexus.notifications.channels.email import (
    ALL_EVENTS,
    absolute,
    build_message,
    digest_sections,
    digest_subject,
    send_messages,
)
from nexus.notifications.models import Notification, Subscription
from nexus.notifications.registry import Frequency

DIGEST_LIMIT = 50
UNANSWERED_LIMIT = 20
UNANSWERED_LABEL = "Unanswered challenges in tags and technologies you follow"
TECHNOLOGY, TAG = "knowledge.technology", "challenges.tag"
PERIODS: dict[str, timedelta] = {
    Frequency.DAILY: timedelta(days=1),
    Frequency.WEEKLY: timedelta(days=7),
}


def _period_start(frequency: str, now: datetime) -> datetime:
    return now - PERIODS.get(frequency, timedelta(days=1))


def pending_digest_user_ids(frequency: str) -> list[int]:
    """Users with notifications waiting for this digest or unanswered challenges they follow."""
    pending = Notification.objects.filter(email_frequency=frequency, emailed_at=None)
    ids = set(pending.values_list("recipient_id", flat=True))
    targets = unanswered_challenge_targets(since=_period_start(frequency, clock.now()))
    technologies = [target_id for kind, target_id in targets if kind == TECHNOLOGY]
    tags = [target_id for kind, target_id in targets if kind == TAG]
    if technologies or tags:
        followers = Subscription.objects.filter(user__is_active=True).filter(
            target_type=TECHNOLOGY, target_id__in=technologies
        ) | Subscription.objects.filter(user__is_active=True, target_type=TAG, target_id__in=tags)
        ids.update(followers.values_list("user_id", flat=True).distinct())
    return sorted(ids)


def unanswered_section(*, user: User, frequency: str, now: datetime) -> dict[str, Any] | None:
    """The digest section of unanswered challenges in the user's followed technologies and tags."""
    follows = Subscription.objects.filter(user=user, target_type__in=(TECHNOLOGY, TAG))
    technologies: list[str] = []
    tags: list[str] = []
    for kind, target_id in follows.values_list("target_type", "target_id"):
        (technologies if kind == TECHNOLOGY else tags).append(target_id)
    challenges = unanswered_challenges(
        technology_slugs=technologies,
        tag_names=tags,
        since=_period_start(frequency, now),
        exclude_author_id=user.pk,
        limit=UNANSWERED_LIMIT,
    )
    if not challenges:
        return None
    return {
        "label": UNANSWERED_LABEL,
        "items": [{"title": c.title, "link": absolute(c.get_absolute_url())} for c in challenges],
    }


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
    unanswered = unanswered_section(user=user, frequency=frequency, now=started)
    if not items and unanswered is None:
        return False
    total = pending.count() if items else 0
    sections = digest_sections(items) + ([unanswered] if unanswered else [])
    count = total + (len(unanswered["items"]) if unanswered else 0)
    message = build_message(
        to=user.email,
        user_id=user.pk,
        subject=digest_subject(frequency, count),
        template="digest",
        context={"user": user, "sections": sections, "more": total - len(items)},
        event_type=ALL_EVENTS,
    )
    send_messages([message])
    if items:
        pending.update(emailed_at=started)
    return True
