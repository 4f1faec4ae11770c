import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nexus.knowledge import services
from nexus.knowledge.models import Article, Bookmark, Comment, Reaction
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_for():
    def make(user=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def edit_data(article, **changes):
    data = {
        "title": article.title,
        "summary": article.summary,
        "kind": article.kind,
        "technologies": [t.slug for t in article.technologies.all()],
        "tags": ", ".join(t.name for t in article.tags.all()),
        "body": article.body,
        "status": article.status,
        "message": "",
        "version": article.version,
    }
    data.update(changes)
    return data


def test_home_shows_recent_popular_and_technologies(browser_for, owner, other_user):
    article = make_article(owner, title="Redis eviction policies")
    services.reaction_add(article=article, user=other_user)
    page = browser_for().get("/").content.decode()
    assert "Redis eviction policies" in page
    assert "Popular this week" in page
    assert "GitHub Actions" in page


def test_home_has_an_empty_state(browser_for, db):
    assert 'data-testid="no-articles"' in browser_for().get("/").content.decode()


def test_article_page_shows_rendered_html_without_rendering_again(browser_for, owner):
    article = make_article(owner, body="| a | b |\n|---|---|\n| 1 | 2 |")
    Article.objects.filter(pk=article.pk).update(body_html="<p>stored rendering</p>")
    page = browser_for().get(f"/articles/{article.slug}/").content.decode()
    assert "stored rendering" in page


def test_drafts_are_hidden_from_others_but_not_from_mentors(browser_for, owner, other_user, mentor):
    draft = make_article(owner, status="draft")
    url = f"/articles/{draft.slug}/"
    assert browser_for().get(url).status_code == 403
    assert browser_for(other_user).get(url).status_code == 403
    assert browser_for(owner).get(url).status_code == 200
    assert browser_for(mentor).get(url).status_code == 200


def test_writing_an_article_from_the_editor(browser_for, owner):
    response = browser_for(owner).post(
        "/articles/new/",
        {
            "title": "Celery retries",
            "summary": "",
            "kind": "guide",
            "technologies": ["celery"],
            "tags": "queues, Retries",
            "body": "Use `autoretry_for`.",
            "status": "published",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{article.slug}/"
    assert sorted(t.name for t in article.tags.all()) == ["queues", "retries"]


def test_editor_shows_field_errors_next_to_fields(browser_for, owner):
    response = browser_for(owner).post(
        "/articles/new/", {"title": "", "kind": "guide", "status": "draft", "body": "x"}
    )
    assert response.status_code == 400
    assert 'data-field="title"' in response.content.decode()
    assert not Article.objects.exists()


def test_others_cannot_open_the_editor(browser_for, owner, other_user):
    article = make_article(owner)
    assert browser_for(other_user).get(f"/articles/{article.slug}/edit/").status_code == 403
    response = browser_for(other_user).post(
        f"/articles/{article.slug}/edit/", edit_data(article, body="vandal")
    )
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.body != "vandal"


def test_saving_over_a_newer_version_is_a_409_that_keeps_my_text(browser_for, owner, mentor):
    article = make_article(owner, body="line one\nline two")
    mine = edit_data(article, body="line one\nmy line")
    services.article_update(
        article=article, editor=mentor, expected_version=1, body="line one\ntheir line"
    )
    response = browser_for(owner).post(f"/articles/{article.slug}/edit/", mine)
    page = response.content.decode()
    assert response.status_code == 409
    assert "my line" in page  # still in the form
    assert "+their line" in page  # what changed meanwhile
    assert 'name="version" value="2"' in page
    article.refresh_from_db()
    assert article.body == "line one\ntheir line"


def test_preview_renders_like_saving(browser_for, owner):
    response = browser_for(owner).post(
        "/articles/preview/", {"body": "# Hi\n\n<script>x</script>"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert '<h1 id="hi">Hi</h1>' in response.content.decode()
    assert "<script" not in response.content.decode()


def test_history_diff_and_revert_pages(browser_for, owner):
    article = make_article(owner, body="first")
    services.article_update(article=article, editor=owner, expected_version=1, body="second")
    client = browser_for(owner)
    assert "Revert to this" in client.get(f"/articles/{article.slug}/history/").content.decode()
    diff = client.get(f"/articles/{article.slug}/diff/?from=1&to=2").content.decode()
    assert "-first" in diff
    assert "+second" in diff
    response = client.post(f"/articles/{article.slug}/revisions/1/revert/", {"version": 2})
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.version, article.body) == (3, "first")


def test_reacting_bookmarking_and_commenting(browser_for, owner, other_user):
    article = make_article(owner)
    client = browser_for(other_user)
    assert (
        client.post(f"/articles/{article.slug}/helpful/", HTTP_HX_REQUEST="true").status_code == 200
    )
    assert client.post(f"/articles/{article.slug}/bookmark/").status_code == 302
    response = client.post(
        f"/articles/{article.slug}/comments/", {"body": "Thanks!"}, HTTP_HX_REQUEST="true"
    )
    assert "Thanks!" in response.content.decode()
    assert Reaction.objects.count() == Bookmark.objects.count() == Comment.objects.count() == 1
    assert "Caching with Redis" in client.get("/bookmarks/").content.decode()


def test_only_the_author_or_a_mentor_removes_a_comment(browser_for, owner, other_user, mentor):
    article = make_article(owner)
    comment = services.comment_create(article=article, author=other_user, body="Hmm")
    url = f"/articles/{article.slug}/comments/{comment.pk}/remove/"
    assert browser_for(owner).post(url).status_code == 403
    assert browser_for(mentor).post(url).status_code == 302
    comment.refresh_from_db()
    assert comment.is_removed


def test_learning_path_progress_and_resume(browser_for, owner, other_user):
    first = make_article(owner, title="Setup")
    second = make_article(owner, title="Models")
    path = services.learning_path_create(
        author=owner, title="Month 1: Foundation Setup", articles=[first.slug, second.slug]
    )
    client = browser_for(other_user)
    client.post(f"/paths/{path.slug}/steps/{first.slug}/")
    page = client.get(f"/paths/{path.slug}/").content.decode()
    assert "1 of 2 done" in page
    assert "Resume: Models" in page


def test_a_path_page_leaves_out_steps_the_reader_may_not_see(browser_for, owner):
    kept, archived = make_article(owner, title="Setup"), make_article(owner, title="Retracted")
    path = services.learning_path_create(
        author=owner, title="P", articles=[kept.slug, archived.slug]
    )
    services.article_archive(article=archived, editor=owner)
    assert "Retracted" not in browser_for().get(f"/paths/{path.slug}/").content.decode()
    assert "Retracted" in browser_for(owner).get(f"/paths/{path.slug}/").content.decode()


def test_technology_page_groups_articles_by_kind(browser_for, owner):
    make_article(owner, title="Redis guide", kind="guide")
    make_article(owner, title="Redis takeaway", kind="takeaway")
    page = browser_for().get("/technologies/redis/").content.decode()
    assert page.index("Guide") < page.index("Redis guide") < page.index("Takeaway")
    assert browser_for().get("/technologies/nope/").status_code == 404


def queries_for(client, url):
    for cache in caches.all():
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/", "/articles/", "/technologies/redis/", "/bookmarks/"])
def test_list_pages_run_the_same_queries_for_3_or_25_articles(browser_for, owner, url):
    client = browser_for(owner)
    for number in range(3):
        services.bookmark_add(article=make_article(owner, title=f"Article {number}"), user=owner)
    small = queries_for(client, url)
    for number in range(3, 25):
        services.bookmark_add(article=make_article(owner, title=f"Article {number}"), user=owner)
    assert queries_for(client, url) == small


def test_unknown_filter_values_are_a_400_page(browser_for, db):
    assert browser_for().get("/articles/?technology=cobol").status_code == 400
    assert browser_for().get("/articles/?kind=poem").status_code == 400


def test_a_bad_comment_shows_its_error_in_the_swapped_partial(browser_for, owner):
    article = make_article(owner)
    response = browser_for(owner).post(
        f"/articles/{article.slug}/comments/", {"body": "   "}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert 'data-field="body"' in response.content.decode()
    assert not Comment.objects.exists()


def test_preview_of_an_oversized_body_says_so(browser_for, owner):
    response = browser_for(owner).post(
        "/articles/preview/", {"body": "x" * (512 * 1024 + 1)}, HTTP_HX_REQUEST="true"
    )
    assert "larger than 512 KiB" in response.content.decode()
