"""Apps add sections to the digest e-mails through a registry; notifications knows none of them."""

from datetime import timedelta

import pytest
import time_machine

from nexus.core import clock
from nexus.notifications import digest_sections, services
from nexus.notifications.digest_sections import (
    DigestItem,
    DigestSection,
    register_digest_section,
)
from nexus.notifications.tasks import send_digests

pytestmark = pytest.mark.django_db

RFC = DigestItem("Read RFC 9457", "/articles/rfc-9457/")


@pytest.fixture(autouse=True)
def no_app_sections(monkeypatch):
    """Only the sections a test registers (the apps' own are back afterwards)."""
    monkeypatch.setattr(digest_sections, "_sections", {})


def reading_list(*recipients, items=(RFC,)):
    """A section listing `items` for each of `recipients`; records the periods it was asked for."""
    asked = []

    def recipient_ids(since):
        asked.append(since)
        return [user.pk for user in recipients]

    def section_items(user, since):
        asked.append(since)
        return list(items) if user in recipients else []

    section = DigestSection(
        label="Your reading list", recipient_ids=recipient_ids, items=section_items
    )
    return section, asked


def test_a_registered_section_appears_in_the_digest(owner, other_user, mailoutbox):
    section, _ = reading_list(owner)
    register_digest_section("tests.reading", section)

    assert send_digests("daily") == 1
    [digest] = mailoutbox
    assert digest.to == [owner.email]
    assert digest.subject == "[Nexus] Your daily digest: 1 update"
    expected = (
        "== Your reading list ==\n- Read RFC 9457\n  http://127.0.0.1:8000/articles/rfc-9457/"
    )
    assert expected in digest.body
    html = digest.alternatives[0][0]
    assert '<a href="http://127.0.0.1:8000/articles/rfc-9457/">Read RFC 9457</a>' in html


def test_sections_follow_the_notifications_in_the_order_of_their_names(
    publish, other_user, mailoutbox
):
    services.email_preferences_update(user=other_user, preferences={"mention": "daily"})
    publish("mention", recipient_ids=[other_user.pk], title="first", url="/1/")
    later, _ = reading_list(other_user, items=[DigestItem("Zebra", "/z/")])
    earlier, _ = reading_list(other_user, items=[DigestItem("Aardvark", "/a/")])
    register_digest_section("tests.zebra", later)
    register_digest_section("tests.aardvark", earlier)
    mailoutbox.clear()

    send_digests("daily")
    [digest] = mailoutbox
    body = digest.body
    assert body.index("Mentions of you: first") < body.index("Aardvark") < body.index("Zebra")
    assert digest.subject == "[Nexus] Your daily digest: 3 updates"


def test_a_section_with_nothing_for_its_recipient_sends_no_digest(owner, mailoutbox):
    section, _ = reading_list(owner, items=[])
    register_digest_section("tests.reading", section)
    send_digests("daily")
    assert mailoutbox == []


@pytest.mark.parametrize(("frequency", "days"), [("daily", 1), ("weekly", 7)])
def test_a_section_is_asked_for_the_digests_period(owner, mailoutbox, frequency, days):
    section, asked = reading_list(owner)
    register_digest_section("tests.reading", section)
    with time_machine.travel(clock.now(), tick=False):
        send_digests(frequency)
        assert asked == [clock.now() - timedelta(days=days)] * 2
