"""Digest periods on awkward days: "daily" is the last 24 hours and "weekly" the last 7 days,
across month ends, New Year and DST changes (a local day can last 23 or 25 hours)."""

from datetime import timedelta

import pytest

from nexus.challenges import services as challenges
from nexus.challenges.models import Challenge
from nexus.core import clock
from nexus.notifications.services import subscription_create
from nexus.notifications.tasks import send_digests
from tests.challenges.conftest import technology
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)


def posted(title: str, age: timedelta) -> Challenge:
    asker = UserFactory()
    challenge = challenges.challenge_create(
        author=asker, title=title, body="It fails on the checker only.", technologies=["python"]
    )
    Challenge.objects.filter(pk=challenge.pk).update(created_at=clock.now() - age)
    return challenge


@pytest.mark.parametrize(
    ("frequency", "period"), [("daily", timedelta(days=1)), ("weekly", timedelta(days=7))]
)
def test_a_digest_covers_exactly_its_period(awkward_moment, owner, mailoutbox, frequency, period):
    technology("python", "Python")
    subscription_create(user=owner, target_type="knowledge.technology", target_id="python")
    posted("Inside the period by a minute", period - MINUTE)
    posted("Outside the period by a minute", period + MINUTE)
    send_digests(frequency)
    [digest] = [mail for mail in mailoutbox if mail.to == [owner.email]]
    assert "Inside the period by a minute" in digest.body
    assert "Outside the period by a minute" not in digest.body
