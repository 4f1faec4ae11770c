"""Issue #8's flow in a real browser: another user answers my challenge and my bell count rises.

A posts a challenge through the form and stays on its page with the bell at 0; B, in a second
browser context, answers it through the form; A's bell (refreshed through its own hx-get, not by a
reload: the 15 s timer itself is covered by test_notifications_bell.py) shows 1; the notification
list shows the answer, and opening it lands on the answer on the challenge page.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from nexus.challenges.models import Challenge, Solution
from nexus.notifications.models import Notification
from tests.e2e.login import log_in
from tests.factories import UserFactory
from tests.knowledge.factories import ensure_taxonomy

pytestmark = pytest.mark.e2e

TITLE = "Migrations hang on the shared PostgreSQL"


@pytest.fixture
def taxonomy(base_url):
    ensure_taxonomy()  # an earlier transactional test's flush removed the shipped technologies


def refresh_bell(page: Page) -> None:
    """Do now what the bell's `every 15s` poll does: GET its hx-get and swap it in (outerHTML)."""
    with page.expect_response(re.compile(r"/notifications/bell/")) as polled:
        page.evaluate(
            """() => {
                const bell = document.getElementById("notification-bell");
                return htmx.ajax("GET", bell.getAttribute("hx-get"),
                                 {source: bell, target: bell, swap: "outerHTML"});
            }"""
        )
    assert polled.value.ok


def test_the_bell_count_rises_when_another_user_answers_my_challenge(
    new_page, screenshot, taxonomy
):
    asker = UserFactory(email="ana@example.com", display_name="Ana Asker")
    helper = UserFactory(email="ben@example.com", display_name="Ben Helper")

    # A posts a challenge and sits on its page, the bell at 0.
    page = new_page()
    log_in(page, asker.email, next_path="/challenges/new/")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Problem statement").fill(
        "`manage.py migrate` never finishes:\n\n```\nwaiting for lock\n```"
    )
    page.get_by_role("combobox", name="Technologies").fill("PostgreSQL")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Post challenge").click()
    expect(page.get_by_test_id("challenge-title")).to_have_text(TITLE)
    challenge = Challenge.objects.get(title=TITLE, author=asker)
    assert list(challenge.technologies.values_list("slug", flat=True)) == ["postgresql"]
    challenge_path = challenge.get_absolute_url()
    expect(page).to_have_url(re.compile(re.escape(challenge_path) + "$"))
    bell = page.get_by_test_id("bell-count")
    expect(bell).to_have_text("0")
    screenshot("asker-bell-at-zero", page)

    # B, in another browser context, answers through the form.
    other = new_page()
    log_in(other, helper.email, next_path=challenge_path)
    expect(other.get_by_test_id("bell-count")).to_have_text("0")
    other.get_by_label("Your solution").fill("Another session holds a lock: **close it** first.")
    other.get_by_role("button", name="Post solution").click()
    expect(other.get_by_test_id("solution")).to_have_count(1)
    screenshot("helper-answered", other)
    solution = Solution.objects.get(challenge=challenge, author=helper)
    notification = Notification.objects.get(recipient=asker)
    assert notification.actor == helper
    assert notification.url == solution.get_absolute_url()
    assert not Notification.objects.filter(recipient=helper).exists(), "no bell for my own answer"

    # A's bell, on the page A never left, rises to 1 at its next poll.
    expect(bell).to_have_text("0")
    refresh_bell(page)
    expect(bell).to_have_text("1")
    expect(page.get_by_test_id("bell")).to_have_attribute("aria-label", "Notifications, 1 unread")
    expect(page).to_have_url(re.compile(re.escape(challenge_path) + "$"))
    screenshot("asker-bell-at-one", page)

    # The list shows the answer notification; opening it lands on the answer.
    page.get_by_test_id("bell").click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    item = page.get_by_test_id("notification")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(TITLE)
    expect(item).to_contain_text("Ben Helper")
    screenshot("asker-notification-list", page)
    item.get_by_role("button", name=re.compile(re.escape(TITLE))).click()
    expect(page).to_have_url(
        re.compile(re.escape(f"{challenge_path}#solution-{solution.pk}") + "$")
    )
    expect(page.get_by_test_id("challenge-title")).to_have_text(TITLE)
    expect(page.locator(f"#solution-{solution.pk}")).to_contain_text("close it")
    expect(page.get_by_test_id("bell-count")).to_have_text("0")
    screenshot("asker-on-the-answer", page)
    notification.refresh_from_db()
    assert notification.read_at is not None
