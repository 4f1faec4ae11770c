"""Creating many articles at once (imports): the same articles as one at a time, in a fixed
number of statements, each refused draft reported without stopping the others."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from nexus.core.models import OutboxEvent
from nexus.knowledge import services
from nexus.knowledge.models import Article, ArticleLink, ArticleRevision
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db


def _drafts(count, **fields):
    return [
        services.ArticleDraft(
            title=fields.get("title", f"Caching lesson {n}"),
            body=f"# Lesson {n}\n\nSee [[caching-lesson-{n + 1}]].\n\n```python\nprint({n})\n```\n",
            summary="What I learned.",
            technologies=["redis", "django"],
            tags=["performance", f"lesson-{n}"],
            status="published",
            message="Imported from notes.md",
        )
        for n in range(count)
    ]


def _shape(article):
    return {
        "title": article.title,
        "body_html": article.body_html,
        "toc": article.toc,
        "reading_minutes": article.reading_minutes,
        "technologies": sorted(t.slug for t in article.technologies.all()),
        "tags": sorted(t.name for t in article.tags.all()),
        "links": sorted(article.outgoing_links.values_list("target_slug", flat=True)),
        "revision": list(article.revisions.values_list("number", "message", "tag_names")),
        "published": article.published_at is not None,
        "version": article.version,
    }


def test_articles_made_together_are_the_articles_made_one_at_a_time(owner):
    (one,) = services.articles_create(author=owner, drafts=_drafts(1))
    alone = make_article(owner, **vars(_drafts(1)[0]))
    assert (one.slug, alone.slug) == ("caching-lesson-0", "caching-lesson-0-2")
    made = _shape(Article.objects.get(pk=one.pk))
    expected = _shape(alone)
    assert made == expected
    payloads = [e.payload for e in OutboxEvent.objects.filter(name="article.published")]
    for payload in payloads:
        del payload["article_id"], payload["slug"], payload["url"]
    assert payloads[0] == payloads[1]


def test_slugs_are_unique_among_the_batch_and_against_what_exists(owner):
    make_article(owner, title="Same title")
    made = services.articles_create(author=owner, drafts=_drafts(3, title="Same title"))
    assert [a.slug for a in made] == ["same-title-2", "same-title-3", "same-title-4"]


def test_a_refused_draft_is_returned_as_its_error_and_the_others_are_created(owner):
    drafts = [
        _drafts(1)[0],
        services.ArticleDraft(title="T", technologies=[f"t{n}" for n in range(11)]),
        services.ArticleDraft(title="U", technologies=["no-such-thing"]),
        services.ArticleDraft(title=" "),
    ]
    results = services.articles_create(author=owner, drafts=drafts)
    assert isinstance(results[0], Article)
    assert [r.message_dict for r in results[1:]] == [
        {"technologies": ["Choose at most 10 technologies."]},
        {"technologies": ["Unknown technology: no-such-thing."]},
        {"title": ["A title is required."]},
    ]
    assert all(isinstance(r, ValidationError) for r in results[1:])
    assert Article.objects.count() == 1


@pytest.mark.parametrize("count", [1, 40])
def test_the_statements_do_not_grow_with_the_number_of_articles(
    owner, count, django_assert_max_num_queries
):
    # 17: one of them asks the publish gate whether this author's articles need a review.
    with django_assert_max_num_queries(17):
        services.articles_create(author=owner, drafts=_drafts(count))
    assert ArticleRevision.objects.count() == count
    assert ArticleLink.objects.count() == count
    assert OutboxEvent.objects.filter(name="article.published").count() == count


def test_only_someone_who_may_write_articles_creates_them():
    with pytest.raises(PermissionDenied):
        services.articles_create(author=AnonymousUser(), drafts=_drafts(1))
    assert not Article.objects.exists()


def test_an_author_reviewed_first_gets_refusals_or_drafts_as_the_caller_asks(owner, admin_user):
    from nexus.mentorship.services.articles import author_article_review_set

    author_article_review_set(actor=admin_user, author=owner, required=True)
    refused = services.articles_create(author=owner, drafts=_drafts(2))
    held = services.articles_create(author=owner, drafts=_drafts(2), unreviewed_as_drafts=True)

    assert all(isinstance(result, ValidationError) for result in refused)
    assert "status" in refused[0].message_dict
    assert [article.status for article in held] == ["draft", "draft"]
    assert not any(article.published_at for article in held)
    assert not OutboxEvent.objects.filter(name="article.published").exists()
