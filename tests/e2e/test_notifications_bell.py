"""The bell in a real browser: it polls, and its count rises when something happens to the user.

The issue's flow is "another user answers their challenge"; challenges are not built yet, so the
event here is a mention published the way any feature publishes (events.publish in a transaction).
"""

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from nexus.core import events
from nexus.notifications.models import Notification
from tests.e2e.login import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

POLL_SECONDS = 2
POLL_TIMEOUT_MS = 10_000


def test_the_bell_count_rises_when_another_user_mentions_me(page: Page, screenshot, settings):
    settings.NEXUS_BELL_POLL_SECONDS = POLL_SECONDS  # the live server is this process
    learner = UserFactory(display_name="Lena Learner")
    mentor = UserFactory(display_name="Max Mentor")
    log_in(page, learner.email)
    bell = page.get_by_test_id("bell-count")
    expect(bell).to_have_text("0")
    screenshot("bell-at-zero")

    with transaction.atomic():
        events.publish(
            "mention",
            actor=mentor,
            payload={
                "title": "Max Mentor mentioned you in “Indexes that pay off”",
                "url": "/notifications/",
                "recipient_ids": [learner.pk],
            },
        )
    assert Notification.objects.filter(recipient=learner).count() == 1

    expect(bell).to_have_text("1", timeout=POLL_TIMEOUT_MS)
    screenshot("bell-at-one")

    page.get_by_test_id("bell").click()
    item = page.get_by_test_id("notification")
    expect(item).to_contain_text("Indexes that pay off")
    expect(item).to_contain_text("Max Mentor")
    screenshot("notification-list")
    page.get_by_test_id("mark-read").click()
    expect(page.get_by_test_id("mark-read")).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("bell-count")).to_have_text("0")


def test_the_notification_list_works_on_a_phone_in_dark_mode(new_page, screenshot):
    learner = UserFactory(display_name="Pia Phone")
    for title in ("First", "Second"):
        with transaction.atomic():
            events.publish("mention", payload={"title": title, "recipient_ids": [learner.pk]})
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, color_scheme="dark")
    log_in(page, learner.email)
    page.goto("/notifications/")
    expect(page.get_by_test_id("notification")).to_have_count(2)
    expect(page.get_by_test_id("bell-count")).to_have_text("2")
    page.get_by_test_id("read-all").click()
    expect(page.get_by_test_id("bell-count")).to_have_text("0")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling on a phone"
    screenshot("phone-dark-list")
