"""Several entries of one author at once (`entries_create`, what an import writes with): each
draft is checked as `entry_create` checks one, a refused draft fails alone, and the statements
do not grow with the number of entries."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.core import clock
from nexus.core.models import OutboxEvent
from nexus.journal import services
from nexus.journal.models import Entry, LearnerTopic
from nexus.journal.services import EntryDraft
from nexus.knowledge.models import Technology
from tests.journal.conftest import write_entry
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db


def draft(days_ago=0, **fields):
    fields.setdefault("body", f"Worked on things, {days_ago} days ago.")
    return EntryDraft(date=clock.today() - timedelta(days=days_ago), **fields)


def refusal(draft_, author):
    """What `entry_create` says about the draft alone."""
    with pytest.raises(ValidationError) as refused:
        services.entry_create(author=author, **draft_.__dict__)
    return refused.value.message_dict


def test_each_refused_draft_fails_alone_with_what_entry_create_says(learner, cohort):
    django, docker = Technology.objects.filter(slug__in=["django", "docker"]).order_by("slug")
    write_entry(learner, days_ago=3, minutes=1400)
    drafts = [
        draft(1, minutes_spent=60, topics=["django", "docker"]),
        draft(-1),  # tomorrow
        draft(2, minutes_spent=-5),
        draft(3, minutes_spent=60),  # 1,400 + 60 is over a day
        draft(4, minutes_spent=1000),
        draft(4, minutes_spent=500),  # over a day with the draft before it
        draft(5, topics=["no-such-technology"]),
        draft((clock.today() - cohort.start_date).days + 1),  # before the cohort started
        draft(6, body="   "),
        draft(7, confidence=9),
        draft(8, articles=["no-such-article"]),
    ]
    expected = [refusal(d, learner) for d in drafts[1:4] + drafts[6:]]
    results = services.entries_create(author=learner, drafts=drafts)
    refused = [r.message_dict for r in results if isinstance(r, ValidationError)]
    assert refused[:3] == expected[:3]
    assert refused[4:] == expected[3:]
    assert refused[3] == {"minutes_spent": [refused[3]["minutes_spent"][0]]}
    assert "That makes 1500 minutes" in refused[3]["minutes_spent"][0]
    written = [r for r in results if isinstance(r, Entry)]
    assert [r.date for r in written] == [drafts[0].date, drafts[4].date]
    assert set(written[0].topics.all()) == {django, docker}
    assert Entry.objects.filter(author=learner).count() == 3
    topics = LearnerTopic.objects.filter(learner=learner).values_list("technology__slug", "entries")
    assert sorted(topics) == [("django", 1), ("docker", 1)]
    created = OutboxEvent.objects.filter(name="journal.entry_created")
    assert sorted(created.values_list("subject_id", flat=True)) == sorted(
        str(pk) for pk in Entry.objects.filter(author=learner).values_list("pk", flat=True)
    )


def test_linked_articles_and_topics_are_stored_like_entry_creates(owner):
    article = make_article(owner, title="Celery retries", status="published")
    one = services.entry_create(
        author=owner, date=clock.today(), body="Alone", topics=["celery"], articles=[article.slug]
    )
    (many,) = services.entries_create(
        author=owner,
        drafts=[draft(1, body="Together", topics=["celery"], articles=[article.slug])],
    )
    assert isinstance(many, Entry)
    for entry in (one, many):
        entry.refresh_from_db()
        assert list(entry.topics.values_list("slug", flat=True)) == ["celery"]
        assert list(entry.articles.all()) == [article]
        assert entry.body_html.startswith("<p>")


def test_statements_do_not_grow_with_the_number_of_entries(owner):
    def statements(count: int, first_day: int) -> int:
        drafts = [draft(first_day + n, topics=["django", "redis"]) for n in range(count)]
        with CaptureQueriesContext(connection) as queries:
            results = services.entries_create(author=owner, drafts=drafts)
        assert all(isinstance(r, Entry) for r in results)
        return len(queries)

    assert statements(2, first_day=0) == statements(20, first_day=10)


def test_nothing_is_written_for_someone_who_may_not_keep_a_journal():
    with pytest.raises(PermissionDenied):
        services.entries_create(author=AnonymousUser(), drafts=[draft()])
    assert not Entry.objects.exists()


def test_no_drafts_write_nothing(owner, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the transaction's savepoint and its release
        assert services.entries_create(author=owner, drafts=[]) == []
