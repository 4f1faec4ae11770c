"""The digest section of unanswered challenges in the tags and technologies a user follows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from nexus.challenges import services as challenges
from nexus.challenges.digest import UNANSWERED_LABEL
from nexus.challenges.models import Challenge
from nexus.notifications.services import subscription_create
from nexus.notifications.tasks import send_digests
from tests.challenges.conftest import technology
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ask(author, title, **kwargs):
    return challenges.challenge_create(
        author=author, title=title, body="It fails on the checker only.", **kwargs
    )


@pytest.fixture
def asker(db):
    return UserFactory(display_name="Ann Asker")


@pytest.fixture
def follows(owner):
    technology("python", "Python")
    technology("docker", "Docker")
    subscription_create(user=owner, target_type="knowledge.technology", target_id="python")
    subscription_create(user=owner, target_type="challenges.tag", target_id="sql")


def digest_for(mailoutbox, user):
    mails = [m for m in mailoutbox if m.to == [user.email]]
    assert len(mails) <= 1
    return mails[0] if mails else None


def test_the_digest_lists_unanswered_challenges_in_followed_tags_and_technologies(
    owner, asker, follows, mailoutbox
):
    ask(asker, "Pytest fixtures leak state between tests", technologies=["python"])
    ask(asker, "Window function ranks ties wrongly", tags=["sql"])
    ask(asker, "Container cannot reach the host network", technologies=["docker"])
    ask(owner, "My own unanswered python question", technologies=["python"])
    answered = ask(asker, "Venv activation fails in CI", technologies=["python"])
    challenges.solution_create(challenge=answered, author=owner, body="Use the venv's python.")
    old = ask(asker, "Old python question nobody answered", technologies=["python"])
    Challenge.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))

    assert send_digests("daily") >= 1
    digest = digest_for(mailoutbox, owner)
    assert digest is not None
    body = digest.body
    assert UNANSWERED_LABEL in body
    assert "Pytest fixtures leak state between tests" in body
    assert "Window function ranks ties wrongly" in body
    assert f"/challenges/{Challenge.objects.get(title__startswith='Pytest').pk}/" in body
    assert "Container cannot reach the host network" not in body, "docker is not followed"
    assert "My own unanswered" not in body, "your own challenges are not news to you"
    assert "Venv activation fails" not in body, "answered challenges are left out"
    assert "Old python question" not in body, "older than the daily period"
    assert "Pytest fixtures" in digest.alternatives[0][0]


def test_the_weekly_digest_covers_the_week(owner, asker, follows, mailoutbox):
    old = ask(asker, "Old python question nobody answered", technologies=["python"])
    Challenge.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    send_digests("weekly")
    digest = digest_for(mailoutbox, owner)
    assert digest is not None
    assert "Old python question nobody answered" in digest.body


def test_no_digest_without_followed_unanswered_challenges(owner, asker, follows, mailoutbox):
    ask(asker, "Container cannot reach the host network", technologies=["docker"], tags=["net"])
    send_digests("daily")
    assert digest_for(mailoutbox, owner) is None


def test_a_user_following_nothing_gets_no_section(owner, asker, mailoutbox):
    technology("python", "Python")
    ask(asker, "Pytest fixtures leak state between tests", technologies=["python"])
    send_digests("daily")
    assert digest_for(mailoutbox, owner) is None
