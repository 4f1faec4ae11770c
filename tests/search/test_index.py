"""The index follows the knowledge base: events, the periodic sync, and the rebuild command."""

from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from nexus.knowledge import services as knowledge
from nexus.search import selectors, services
from nexus.search.models import SearchDocument, SearchDocumentTerm, SearchVocabulary
from tests.knowledge.factories import make_article


def titles(user, q):
    return [hit.title for hit in selectors.search(user=user, q=q).hits]


def test_publishing_an_article_indexes_it_through_its_event(publish, owner):
    article = publish(owner, title="Celery retries with backoff", technologies=["celery"])

    document = SearchDocument.objects.get(doc_type="article", object_id=article.pk)
    assert document.visibility == "public"
    assert document.url == f"/articles/{article.slug}/"
    assert set(document.terms.values_list("kind", "value")) == {
        ("technology", "celery"),
        ("tag", "performance"),
    }
    assert titles(AnonymousUser(), "backoff") == ["Celery retries with backoff"]


def test_an_update_event_replaces_the_entry(publish, owner, django_capture_on_commit_callbacks):
    article = publish(owner, title="Old title about queues")
    with django_capture_on_commit_callbacks(execute=True):
        knowledge.article_update(
            article=article, editor=owner, expected_version=article.version, title="Brand new"
        )

    assert titles(AnonymousUser(), "brand") == ["Brand new"]
    assert titles(AnonymousUser(), "queues") == []
    assert SearchDocument.objects.count() == 1


def test_drafts_are_found_by_their_author_and_mentors_only(
    indexed, owner, other_user, mentor, admin_user
):
    make_article(owner, title="Draft about sharding", status="draft")
    indexed()

    assert titles(AnonymousUser(), "sharding") == []
    assert titles(other_user, "sharding") == []
    assert titles(owner, "sharding") == ["Draft about sharding"]
    assert titles(mentor, "sharding") == ["Draft about sharding"]
    assert titles(admin_user, "sharding") == ["Draft about sharding"]


def test_an_archived_article_leaves_public_results_even_before_the_index_catches_up(
    publish, owner, other_user
):
    article = publish(owner, title="Archived soon: vacuum tuning")
    # The archive event is not delivered yet (say the broker is down): the entry says "public" ...
    knowledge.article_archive(article=article, editor=owner)
    assert SearchDocument.objects.get().visibility == "public"

    # ... but the last check against the knowledge policy keeps it out of results,
    assert titles(other_user, "vacuum") == []
    assert titles(owner, "vacuum") == ["Archived soon: vacuum tuning"]
    # and the periodic sync brings the entry in line.
    services.index_sync()
    assert SearchDocument.objects.get().visibility == "moderators"


def test_the_archive_event_hides_the_article_from_others(
    publish, owner, other_user, django_capture_on_commit_callbacks
):
    article = publish(owner, title="Archived: vacuum tuning")
    with django_capture_on_commit_callbacks(execute=True):
        knowledge.article_archive(article=article, editor=owner)

    assert SearchDocument.objects.get().visibility == "moderators"
    assert titles(other_user, "vacuum") == []
    assert titles(owner, "vacuum") == ["Archived: vacuum tuning"]


def test_the_periodic_sync_indexes_changes_that_sent_no_event(indexed, owner):
    indexed()
    make_article(owner, title="A quiet draft on locking", status="draft")

    counts = services.index_sync()

    assert counts["article"] >= 1
    assert titles(owner, "locking") == ["A quiet draft on locking"]


def test_reindexing_is_idempotent_and_drops_vanished_objects(publish, owner):
    article = publish(owner, title="Idempotent handlers")
    services.object_reindex(doc_type="article", object_id=article.pk)
    services.object_reindex(doc_type="article", object_id=article.pk)
    assert SearchDocument.objects.count() == 1
    assert SearchDocumentTerm.objects.count() == 2

    assert services.object_reindex(doc_type="article", object_id=article.pk + 999) is False
    services.document_delete(doc_type="article", object_id=article.pk)
    assert titles(AnonymousUser(), "idempotent") == []


def test_search_rebuild_command_rebuilds_every_type(owner):
    make_article(owner, title="Rebuilt article one")
    make_article(owner, title="Rebuilt article two", status="draft")
    SearchDocument.objects.create(
        doc_type="article",
        object_id=987654,
        title="Orphan",
        url="/x/",
        freshness="2024-01-01T00:00Z",
    )
    out = StringIO()

    call_command("search_rebuild", stdout=out)

    assert "article: 2 documents" in out.getvalue()
    assert not SearchDocument.objects.filter(object_id=987654).exists()


def test_only_public_titles_feed_the_typo_vocabulary(indexed, owner):
    make_article(owner, title="Kubernetes liveness probes")
    make_article(owner, title="Confidential zeppelin plans", status="draft")
    indexed()

    words = set(SearchVocabulary.objects.values_list("word", flat=True))
    assert {"kubernetes", "liveness", "probes"} <= words
    assert "zeppelin" not in words


@pytest.mark.parametrize("typo", ["kubernetis", "kuberntes", "liveness probs"])
def test_typos_in_titles_and_technologies_are_corrected(indexed, owner, typo):
    make_article(owner, title="Kubernetes liveness probes", technologies=["kubernetes"])
    make_article(owner, title="Something else entirely", technologies=["redis"])
    indexed()

    found = selectors.search(user=AnonymousUser(), q=typo)

    assert [hit.title for hit in found.hits] == ["Kubernetes liveness probes"]
    assert found.corrected_query


def test_postgress_finds_postgresql_through_the_technology_name(indexed, owner):
    make_article(owner, title="Indexes that pay off", technologies=["postgresql"], body="GIN.")
    indexed()

    found = selectors.search(user=AnonymousUser(), q="postgress")

    assert [hit.title for hit in found.hits] == ["Indexes that pay off"]
    assert found.corrected_query == "postgresql"
