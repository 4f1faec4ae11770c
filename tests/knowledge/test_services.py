import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from nexus.core.models import OutboxEvent
from nexus.knowledge import selectors, services
from nexus.knowledge.models import Article, ArticleLink, ArticleRevision, Technology
from tests.knowledge.factories import ensure_taxonomy, make_article

pytestmark = pytest.mark.django_db


def test_the_default_taxonomy_is_shipped_as_data():
    slugs = set(Technology.objects.values_list("slug", flat=True))
    assert {"python", "django", "rest", "graphql", "docker", "kubernetes", "jenkins"} <= slugs
    assert {"github-actions", "celery", "rabbitmq", "cron", "firewalls", "https-ssl"} <= slugs
    assert {"auth", "postgresql", "django-orm", "redis", "monitoring"} <= slugs
    assert Technology.objects.get(slug="docker").category.name == "DevOps"


def test_creating_an_article_renders_it_once_and_keeps_revision_one(owner):
    article = make_article(owner, body="# Title\n\n```python\nprint(1)\n```\n")
    assert '<pre class="highlight">' in article.body_html
    assert article.body_hash
    assert article.version == 1
    assert article.toc == [{"level": 1, "text": "Title", "anchor": "title"}]
    assert article.published_at is not None
    assert list(article.revisions.values_list("number", flat=True)) == [1]
    assert OutboxEvent.objects.filter(name="article.published").count() == 1


def test_colliding_slugs_get_a_suffix(owner):
    first = make_article(owner, title="REST basics")
    second = make_article(owner, title="REST basics")
    third = make_article(owner, title="New")
    assert (first.slug, second.slug, third.slug) == ("rest-basics", "rest-basics-2", "new-2")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"body": "x" * (512 * 1024 + 1)}, "body"),
        ({"technologies": ["cobol"]}, "technologies"),
        ({"kind": "poem"}, "kind"),
        ({"tags": ["!!!"]}, "tags"),
        ({"status": "archived"}, "status"),
    ],
)
def test_bad_article_input_is_refused_with_a_field_error(owner, fields, field):
    with pytest.raises(ValidationError) as caught:
        make_article(owner, **fields)
    assert field in caught.value.message_dict
    assert not Article.objects.exists()


def test_hostile_markdown_is_neutralised(owner):
    body = '<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror="alert(1)">'
    html = make_article(owner, body=body).body_html
    assert "<script" not in html
    assert 'href="javascript' not in html.replace("'", '"')
    assert "onerror" not in html


def test_updating_on_the_current_version_bumps_it_and_keeps_a_revision(owner):
    article = make_article(owner)
    services.article_update(
        article=article, editor=owner, expected_version=1, body="New body", message="Rewrite"
    )
    article.refresh_from_db()
    assert article.version == 2
    assert "New body" in article.body_html
    revision = ArticleRevision.objects.get(article=article, number=2)
    assert (revision.message, revision.body) == ("Rewrite", "New body")
    assert OutboxEvent.objects.filter(name="article.updated").count() == 1


def test_a_stale_update_is_refused_and_changes_nothing(owner, other_user):
    article = make_article(owner)
    stale = Article.objects.get(pk=article.pk)
    services.article_update(article=article, editor=owner, expected_version=1, body="Mine")
    with pytest.raises(services.ArticleVersionConflict) as caught:
        services.article_update(article=stale, editor=owner, expected_version=1, body="Theirs")
    assert caught.value.current.version == 2
    article.refresh_from_db()
    assert article.body == "Mine"
    assert article.revisions.count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers; no race to lose"
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_one_version_cannot_both_win(owner):
    ensure_taxonomy()
    article = make_article(owner)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(text: str) -> None:
        try:
            barrier.wait()
            services.article_update(
                article=Article.objects.get(pk=article.pk),
                editor=owner,
                expected_version=1,
                body=text,
            )
            outcomes.append("saved")
        except services.ArticleVersionConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(text,)) for text in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    article.refresh_from_db()
    assert article.version == 2
    assert article.revisions.count() == 2


def test_reverting_creates_a_new_revision_with_the_old_content(owner):
    article = make_article(owner, body="first", tags=["a"])
    services.article_update(article=article, editor=owner, expected_version=1, body="second")
    services.article_revert(article=article, editor=owner, number=1)
    article.refresh_from_db()
    assert (article.version, article.body) == (3, "first")
    latest = article.revisions.get(number=3)
    assert latest.reverted_from == 1
    assert latest.message == "Reverted to revision 1"


def test_wiki_links_resolve_and_are_kept_for_what_links_here(owner):
    target = make_article(owner, title="Celery basics")
    source = make_article(owner, title="Queues", body="See [[celery-basics]] and [[nowhere]].")
    assert f'href="/articles/{target.slug}/"' in source.body_html
    assert "wikilink-missing" in source.body_html
    assert set(ArticleLink.objects.values_list("target_slug", flat=True)) == {
        "celery-basics",
        "nowhere",
    }
    assert list(selectors.articles_linking_to(article=target)) == [source]


def test_a_missing_link_turns_real_when_its_target_is_published(
    owner, django_capture_on_commit_callbacks
):
    source = make_article(owner, title="Queues", body="See [[rabbitmq-basics]].")
    assert "wikilink-missing" in source.body_html
    with django_capture_on_commit_callbacks(execute=True):
        make_article(owner, title="RabbitMQ basics")
    source.refresh_from_db()
    assert 'href="/articles/rabbitmq-basics/"' in source.body_html
    assert source.version == 1


def test_diff_between_two_revisions_shows_added_and_removed_lines(owner):
    article = make_article(owner, body="line one\nline two")
    services.article_update(
        article=article, editor=owner, expected_version=1, body="line one\nline 2"
    )
    old, new = (selectors.revision_get(article=article, number=n) for n in (1, 2))
    diff = selectors.revision_diff(old=old, new=new)
    assert "-line two" in diff.unified
    assert "+line 2" in diff.unified
    assert {line.kind for line in diff.lines} >= {"added", "removed"}


def test_browser_line_endings_do_not_turn_every_line_into_a_change(owner):
    article = make_article(owner, body="one\ntwo\nthree")
    services.article_update(
        article=article, editor=owner, expected_version=1, body="one\r\ntwo\r\n3"
    )
    old, new = (selectors.revision_get(article=article, number=n) for n in (1, 2))
    changed = [
        line.text
        for line in selectors.revision_diff(old=old, new=new).lines
        if line.kind in ("added", "removed")
    ]
    assert changed == ["-three", "+3"]


def test_archiving_or_unpublishing_is_announced_so_search_can_drop_it(owner):
    first = make_article(owner, title="First")
    second = make_article(owner, title="Second")
    services.article_archive(article=first, editor=owner)
    services.article_update(article=second, editor=owner, expected_version=1, status="draft")
    names = dict(
        OutboxEvent.objects.values_list("payload__slug", "name").exclude(name="article.published")
    )
    assert names == {"first": "article.archived", "second": "article.unpublished"}
