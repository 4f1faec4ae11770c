"""Milestone events reach people through the existing fan-out: in the app, by e-mail as their
preference says (instantly or in the digest), and to their webhooks."""

import pytest

from nexus.mentorship.services.milestones import milestone_review, milestone_submit
from nexus.notifications import services as notification_services
from nexus.notifications.models import Notification, WebhookDelivery
from nexus.notifications.tasks import send_digests
from tests.mentorship.conftest import GOOD_SCORES
from tests.notifications.conftest import receiver  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_a_submission_reaches_the_mentor_in_the_app_by_email_and_by_webhook(
    django_capture_on_commit_callbacks,
    progress,
    learner,
    mentor,
    mailoutbox,
    receiver,  # noqa: F811
):
    notification_services.webhook_create(
        actor=mentor, url=receiver.url, events=["milestone.submitted"]
    )

    with django_capture_on_commit_callbacks(execute=True):
        milestone_submit(progress=progress, actor=learner, note="Ready")

    notification = Notification.objects.get(recipient=mentor)
    assert notification.event_name == "milestone.submitted"
    assert "submitted" in notification.title
    assert notification.url == f"/mentorship/milestones/{progress.pk}/"
    [mail] = mailoutbox
    assert mail.to == [mentor.email]
    assert WebhookDelivery.objects.get().status == "succeeded"
    assert receiver.json()["event"] == "milestone.submitted"


def test_a_learner_who_wants_reviews_in_the_digest_gets_them_there(
    django_capture_on_commit_callbacks, progress, learner, mentor, mailoutbox
):
    notification_services.email_preferences_update(
        user=learner, preferences={"milestone.changes_requested": "daily"}
    )
    milestone_submit(progress=progress, actor=learner)

    with django_capture_on_commit_callbacks(execute=True):
        milestone_review(
            progress=progress,
            reviewer=mentor,
            decision="changes_requested",
            comment="Split the view",
            scores=GOOD_SCORES,
        )
    assert Notification.objects.filter(recipient=learner).count() == 1
    assert not [mail for mail in mailoutbox if learner.email in mail.to]

    send_digests("daily")

    [digest] = [mail for mail in mailoutbox if learner.email in mail.to]
    assert "needs changes" in digest.body
