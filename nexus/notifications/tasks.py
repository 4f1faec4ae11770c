"""Background work of notifications: sending e-mail and webhooks, digests, clean-up, reminders.

Every task takes ids and is safe to run twice (acks_late redelivers a task whose worker died).
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction

from nexus.accounts.models import Role
from nexus.accounts.selectors import user_list
from nexus.core import clock, events
from nexus.core.models import OutboxEvent
from nexus.notifications import digests, services
from nexus.notifications.channels.email import instant_message, send_messages
from nexus.notifications.models import Notification
from nexus.notifications.registry import Frequency

EMAIL_BATCH = 100


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_instant_emails(event_id: str) -> int:
    """E-mail an event's instant notifications, marking each batch once it is sent."""
    sent = 0
    while True:
        batch = list(
            Notification.objects.filter(
                event_id=event_id, email_frequency=Frequency.INSTANT, emailed_at=None
            ).select_related("recipient")[:EMAIL_BATCH]
        )
        if not batch:
            return sent
        send_messages(instant_message(n) for n in batch if n.recipient.is_active)
        Notification.objects.filter(pk__in=[n.pk for n in batch]).update(emailed_at=clock.now())
        sent += len(batch)


def backoff_seconds(retries: int) -> int:
    """Exponential backoff: base, 2 * base, 4 * base, ... up to a cap."""
    delay = settings.NEXUS_WEBHOOK_RETRY_BASE_SECONDS * 2**retries
    return int(min(delay, settings.NEXUS_WEBHOOK_RETRY_MAX_SECONDS))


# Its retries are counted against NEXUS_WEBHOOK_MAX_ATTEMPTS below; max_retries bounds the tries
# of a delivery whose worker keeps dying too.
@shared_task(bind=True, max_retries=settings.NEXUS_WEBHOOK_MAX_ATTEMPTS)
def deliver_webhook(self, delivery_id: str) -> bool:
    """POST one webhook delivery, retried with exponential backoff."""
    attempt = services.webhook_delivery_attempt(delivery_id=delivery_id)
    if attempt is None or attempt.ok:
        return attempt is not None
    if self.request.is_eager:
        # Embedded mode has no worker to come back later: the log shows the failure and the
        # owner can redeliver; retrying inline would only hold up the request.
        return False
    if self.request.retries + 1 < settings.NEXUS_WEBHOOK_MAX_ATTEMPTS:
        raise self.retry(countdown=backoff_seconds(self.request.retries))
    return False


@shared_task
def send_digests(frequency: str) -> int:
    """Periodic: send the daily or weekly digest to everyone with something pending."""
    sent = 0
    for user_id in digests.pending_digest_user_ids(frequency):
        send_digest.delay(user_id, frequency)
        sent += 1
    return sent


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_digest(user_id: int, frequency: str) -> bool:
    """One user's digest."""
    return digests.digest_send(user_id=user_id, frequency=frequency)


@shared_task
def delete_old_read_notifications() -> int:
    """Periodic: clean up notifications read long ago."""
    days = settings.NEXUS_NOTIFICATION_RETENTION_DAYS
    return services.notifications_delete_old_read(older_than=timedelta(days=days))


@shared_task
def remind_learners_to_reflect() -> bool:
    """Periodic (monthly): remind every learner to write their reflection, once per month."""
    month = clock.today().strftime("%Y-%m")
    name = "journal.reflection_reminder"
    if OutboxEvent.objects.filter(name=name, payload__month=month).exists():
        return False
    learners = list(user_list().filter(role=Role.LEARNER).values_list("pk", flat=True))
    with transaction.atomic():
        events.publish(
            name,
            payload={
                "title": f"Time to write your reflection for {month}",
                "url": "/journal/",
                "month": month,
                "recipient_ids": learners,
            },
        )
    return True
