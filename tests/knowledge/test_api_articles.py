import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.core.conditional import etag_for
from nexus.core.models import OutboxEvent
from nexus.knowledge import services
from nexus.knowledge.models import Article, Comment
from tests.conditional import if_match
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db

ARTICLES = "/api/v1/articles/"
NEW_ARTICLE = {
    "title": "Retrying Celery tasks",
    "summary": "When and how.",
    "body": "## Why\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nretry()\n```",
    "kind": "guide",
    "technologies": ["celery", "rabbitmq"],
    "tags": ["Reliability", "queues"],
    "status": "published",
}


def test_creating_an_article_returns_it_with_its_etag(client_for, owner):
    response = client_for(owner).post(ARTICLES, NEW_ARTICLE, format="json")
    assert response.status_code == 201
    body = response.json()
    assert response["ETag"] == etag_for(Article.objects.get(slug="retrying-celery-tasks"))
    assert response["Location"].endswith("/api/v1/articles/retrying-celery-tasks/")
    assert {
        "slug",
        "title",
        "summary",
        "body",
        "body_html",
        "kind",
        "technologies",
        "tags",
        "status",
        "author",
        "version",
        "created_at",
        "updated_at",
        "published_at",
    } <= set(body)
    assert body["technologies"] == ["celery", "rabbitmq"]
    assert sorted(body["tags"]) == ["queues", "reliability"]
    assert "<table>" in body["body_html"]
    assert '<pre class="highlight">' in body["body_html"]
    assert body["author"] == {"id": owner.pk, "display_name": "Olivia Owner"}


def test_anonymous_users_cannot_write(api_client):
    response = api_client.post(ARTICLES, NEW_ARTICLE, format="json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"technologies": ["cobol"]}, "technologies"),
        ({"kind": "poem"}, "kind"),
        ({"status": "gone"}, "status"),
        ({"body": "x" * (512 * 1024 + 1)}, "body"),
        ({"colour": "red"}, "colour"),
        ({"tags": ["!!"]}, "tags"),
    ],
)
def test_bad_article_input_is_a_400_with_the_field_and_nothing_stored(
    client_for, owner, changes, field
):
    response = client_for(owner).post(ARTICLES, {**NEW_ARTICLE, **changes}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in {error["field"].split(".")[0] for error in response.json()["errors"]}
    assert not Article.objects.exists()


def test_script_tags_javascript_links_and_event_handlers_are_neutralised(client_for, owner):
    body = '<script>alert(1)</script>\n\n<a href="javascript:alert(1)" onclick="x()">hi</a>\n\n[y](javascript:alert(2))'
    response = client_for(owner).post(ARTICLES, {**NEW_ARTICLE, "body": body}, format="json")
    html = response.json()["body_html"]
    assert "<script" not in html
    assert "onclick" not in html
    assert 'href="javascript' not in html


def test_the_list_filters_by_kind_technology_tag_author_and_title(client_for, owner, mentor):
    make_article(owner, title="Redis caching", kind="guide", technologies=["redis"], tags=["speed"])
    make_article(mentor, title="Docker layers", kind="concept", technologies=["docker"], tags=[])
    client = client_for(owner)

    def slugs(query):
        response = client.get(f"{ARTICLES}?{query}")
        assert response.status_code == 200
        return [a["slug"] for a in response.json()["results"]]

    assert slugs("kind=guide") == ["redis-caching"]
    assert slugs("technology=docker") == ["docker-layers"]
    assert slugs("tag=speed") == ["redis-caching"]
    assert slugs(f"author={mentor.pk}") == ["docker-layers"]
    assert slugs(f"author={2**63}") == slugs(f"author={-(2**64)}") == []  # no id is that big
    assert slugs("search=redis") == ["redis-caching"]
    assert slugs("ordering=title") == ["docker-layers", "redis-caching"]


@pytest.mark.parametrize("query", ["kind=poem", "technology=cobol", "status=gone", "author=x"])
def test_unknown_filter_values_are_a_400(api_client, db, query):
    response = api_client.get(f"{ARTICLES}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_drafts_are_listed_only_for_their_author_and_mentors(
    api_client, client_for, owner, other_user, mentor
):
    make_article(owner, title="Secret draft", status="draft")
    make_article(owner, title="Public")

    def titles(client, query=""):
        return [a["title"] for a in client.get(f"{ARTICLES}?{query}").json()["results"]]

    assert titles(api_client) == ["Public"]
    assert titles(api_client, "status=draft") == []
    assert titles(client_for(other_user), "status=draft") == []
    assert titles(client_for(owner), "status=draft") == ["Secret draft"]
    assert titles(client_for(mentor), "status=draft") == ["Secret draft"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 404), ("other_user", 404), ("owner", 200), ("mentor", 200), ("admin_user", 200)],
)
def test_draft_detail_permission_matrix(request, api_client, client_for, owner, who, expected):
    draft = make_article(owner, status="draft")
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    assert client.get(f"{ARTICLES}{draft.slug}/").status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("other_user", 403), ("owner", 200), ("mentor", 200), ("admin_user", 200)],
)
def test_edit_permission_matrix(request, api_client, client_for, owner, who, expected):
    article = make_article(owner)
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    response = client.patch(
        f"{ARTICLES}{article.slug}/", {"title": "Changed"}, format="json", headers=if_match(article)
    )
    assert response.status_code == expected
    article.refresh_from_db()
    assert (article.title == "Changed") == (expected == 200)


def test_patch_saves_a_new_version_and_announces_it(client_for, owner):
    article = make_article(owner)
    response = client_for(owner).patch(
        f"{ARTICLES}{article.slug}/",
        {"body": "Updated", "message": "Shorter"},
        format="json",
        headers=if_match(article),
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["body_html"] == "<p>Updated</p>\n"
    assert OutboxEvent.objects.filter(name="article.updated").count() == 1


def test_put_needs_the_whole_article(client_for, owner):
    article = make_article(owner)
    response = client_for(owner).put(
        f"{ARTICLES}{article.slug}/",
        {"body": "only a body"},
        format="json",
        headers=if_match(article),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "title"


def test_publishing_a_draft_sets_published_at_and_announces_it(client_for, owner):
    draft = make_article(owner, status="draft")
    assert draft.published_at is None
    response = client_for(owner).patch(
        f"{ARTICLES}{draft.slug}/", {"status": "published"}, format="json", headers=if_match(draft)
    )
    assert response.json()["published_at"] is not None
    event = OutboxEvent.objects.get(name="article.published")
    assert event.payload["slug"] == draft.slug
    assert "body" not in event.payload


def test_deleting_archives_and_keeps_history(client_for, api_client, owner, other_user):
    article = make_article(owner)
    assert client_for(other_user).delete(f"{ARTICLES}{article.slug}/").status_code == 403
    deleted = client_for(owner).delete(f"{ARTICLES}{article.slug}/", headers=if_match(article))
    assert deleted.status_code == 204
    article.refresh_from_db()
    assert article.status == "archived"
    assert article.revisions.count() == 2
    assert api_client.get(f"{ARTICLES}{article.slug}/").status_code == 404


def test_revisions_list_detail_diff_and_revert(client_for, owner, other_user):
    article = make_article(owner, body="one\ntwo")
    services.article_update(article=article, editor=owner, expected_version=1, body="one\n2")
    client = client_for(owner)
    listing = client.get(f"{ARTICLES}{article.slug}/revisions/").json()
    assert [r["number"] for r in listing["results"]] == [2, 1]
    assert "body" not in listing["results"][0]
    assert client.get(f"{ARTICLES}{article.slug}/revisions/1/").json()["body"] == "one\ntwo"
    assert client.get(f"{ARTICLES}{article.slug}/revisions/9/").status_code == 404
    diff = client.get(f"{ARTICLES}{article.slug}/diff/?from=1&to=2").json()
    assert diff["changed"] is True
    assert "-two" in diff["unified"]
    assert "+2" in diff["unified"]
    assert client.get(f"{ARTICLES}{article.slug}/diff/?from=x&to=2").status_code == 400

    assert (
        client_for(other_user)
        .post(f"{ARTICLES}{article.slug}/revert/", {"revision": 1}, format="json")
        .status_code
        == 403
    )
    reverted = client.post(
        f"{ARTICLES}{article.slug}/revert/",
        {"revision": 1},
        format="json",
        headers=if_match(article),
    )
    assert reverted.status_code == 200
    assert reverted.json()["version"] == 3
    assert reverted.json()["body"] == "one\ntwo"
    missing = client.post(
        f"{ARTICLES}{article.slug}/revert/",
        {"revision": 42},
        format="json",
        headers=if_match(article),
    )
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "revision"


def test_comments_thread_one_level_and_announce_themselves(client_for, owner, other_user):
    article = make_article(owner)
    client = client_for(other_user)
    url = f"{ARTICLES}{article.slug}/comments/"
    top = client.post(url, {"body": "Great **read**"}, format="json")
    assert top.status_code == 201
    assert top.json()["body_html"] == "<p>Great <strong>read</strong></p>\n"
    reply = client_for(owner).post(
        url, {"body": "Thanks", "parent": top.json()["id"]}, format="json"
    )
    assert reply.status_code == 201
    nested = client.post(url, {"body": "No", "parent": reply.json()["id"]}, format="json")
    assert nested.status_code == 400
    assert nested.json()["errors"][0]["field"] == "parent"
    threads = client.get(url).json()["results"]
    assert [t["body"] for t in threads] == ["Great **read**"]
    assert [r["body"] for r in threads[0]["replies"]] == ["Thanks"]
    event = OutboxEvent.objects.filter(name="article.commented").first()
    assert event.payload["article_author_id"] == owner.pk
    article.refresh_from_db()
    assert article.comment_count == 2


def test_comment_edit_and_remove_permissions(client_for, owner, other_user, mentor):
    article = make_article(owner)
    comment = services.comment_create(article=article, author=other_user, body="typo")
    url = f"{ARTICLES}{article.slug}/comments/{comment.pk}/"
    assert client_for(owner).patch(url, {"body": "x"}, format="json").status_code == 403
    assert client_for(mentor).patch(url, {"body": "x"}, format="json").status_code == 403
    edited = client_for(other_user).patch(url, {"body": "fixed"}, format="json")
    assert edited.status_code == 200
    assert edited.json()["edited_at"] is not None
    assert client_for(owner).delete(url).status_code == 403
    assert client_for(mentor).delete(url).status_code == 204
    comment.refresh_from_db()
    assert comment.is_removed
    assert Comment.objects.count() == 1


def test_reactions_count_once_per_user(client_for, api_client, owner, other_user):
    article = make_article(owner)
    url = f"{ARTICLES}{article.slug}/reactions/"
    client = client_for(other_user)
    assert client.post(url, {"kind": "helpful"}, format="json").json() == {
        "helpful": 1,
        "mine": ["helpful"],
    }
    assert client.post(url, {}, format="json").json()["helpful"] == 1
    assert api_client.get(url).json() == {"helpful": 1, "mine": []}
    assert api_client.post(url, {}, format="json").status_code == 401
    assert client.post(url, {"kind": "love"}, format="json").status_code == 400
    assert client.delete(url).json() == {"helpful": 0, "mine": []}


def test_bookmarks_make_a_reading_list(client_for, api_client, owner, other_user):
    article = make_article(owner)
    client = client_for(other_user)
    url = f"{ARTICLES}{article.slug}/bookmark/"
    assert api_client.put(url).status_code == 401
    assert client.put(url).json() == {"bookmarked": True}
    assert client.put(url).json() == {"bookmarked": True}
    listing = client.get("/api/v1/bookmarks/").json()
    assert [b["article"]["slug"] for b in listing["results"]] == [article.slug]
    assert client.delete(url).json() == {"bookmarked": False}
    assert client.get("/api/v1/bookmarks/").json()["results"] == []


def test_unknown_articles_are_a_404_problem(api_client, db):
    response = api_client.get(f"{ARTICLES}nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize(
    "url",
    [
        ARTICLES,
        f"{ARTICLES}?technology=redis&ordering=-updated_at",
        "/api/v1/bookmarks/",
    ],
)
def test_list_queries_stay_constant_at_two_page_sizes(client_for, owner, url):
    for number in range(30):
        article = make_article(owner, title=f"Article {number}")
        services.bookmark_add(article=article, user=owner)
    client = client_for(owner)
    separator = "&" if "?" in url else "?"
    small, small_count = count_queries(client, f"{url}{separator}page_size=2")
    large, large_count = count_queries(client, f"{url}{separator}page_size=25")
    assert (small_count, large_count) == (2, 25)
    assert small == large
    assert large <= 5


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_takes_the_same_few_queries_at_every_page_size(
    api_client, client_for, owner, signed_in
):
    for number in range(100):
        make_article(owner, title=f"Article {number}", technologies=["redis", "celery"])
    client = client_for(owner) if signed_in else api_client
    counts = [count_queries(client, f"{ARTICLES}?page_size={size}") for size in (10, 50, 100)]
    assert [results for _, results in counts] == [10, 50, 100]
    queries = [count for count, _ in counts]
    assert queries[0] == queries[1] == queries[2] <= 6, queries


def test_the_list_shows_what_the_detail_shows_but_the_body(api_client, owner):
    article = make_article(owner, technologies=["redis", "celery"], tags=["b-tag", "a-tag"])
    listed = api_client.get(ARTICLES).json()["results"][0]
    detail = api_client.get(f"{ARTICLES}{article.slug}/").json()
    assert listed == {k: v for k, v in detail.items() if k not in ("body", "body_html", "toc")}
    assert (listed["technologies"], listed["tags"]) == (["celery", "redis"], ["a-tag", "b-tag"])
    assert listed["author"] == {"id": owner.pk, "display_name": owner.display_name}
    assert listed["url"] == f"/articles/{article.slug}/"


def test_comment_and_revision_lists_stay_constant(client_for, owner, other_user):
    article = make_article(owner)
    for number in range(12):
        parent = services.comment_create(article=article, author=other_user, body=f"c{number}")
        services.comment_create(article=article, author=owner, body="reply", parent=parent)
        services.article_update(
            article=article, editor=owner, expected_version=number + 1, body=f"v{number}"
        )
    client = client_for(owner)
    for url in (f"{ARTICLES}{article.slug}/comments/", f"{ARTICLES}{article.slug}/revisions/"):
        small, _ = count_queries(client, f"{url}?page_size=2")
        large, _ = count_queries(client, f"{url}?page_size=10")
        assert small == large


def test_event_payloads_carry_the_notification_routing_keys(client_for, owner, other_user):
    article = make_article(owner, technologies=["redis", "celery"])
    published = OutboxEvent.objects.get(name="article.published").payload
    assert published["url"] == f"/articles/{article.slug}/"
    assert published["follow_targets"] == [
        ["knowledge.technology", "celery"],
        ["knowledge.technology", "redis"],
    ]
    top = services.comment_create(article=article, author=owner, body="First")
    services.comment_create(article=article, author=other_user, body="Reply", parent=top)
    reply = OutboxEvent.objects.filter(name="article.commented").order_by("created_at").last()
    assert reply.payload["follower_ids"] == [other_user.pk]
    assert reply.payload["recipient_ids"] == [owner.pk]
