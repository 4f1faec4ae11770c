import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.accounts.jwt import refresh_token_for
from nexus.knowledge import services
from nexus.knowledge.models import Article
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db

ARTICLE_FIELDS = """
  slug title summary body bodyHtml kind status version tags readingMinutes
  technologies { slug name category } author { displayName } publishedAt updatedAt createdAt
"""


def graphql(client, query, variables=None, user=None):
    headers = {"Authorization": f"Bearer {refresh_token_for(user).access_token}"} if user else {}
    response = client.post(
        "/graphql/",
        {"query": query, "variables": variables or {}},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_articles_and_technologies_are_readable(client, owner):
    make_article(owner, title="Redis caching", kind="guide")
    make_article(owner, title="Secret", status="draft")
    body = graphql(
        client,
        f'{{ articles(filter: {{kind: "guide"}}) {{ {ARTICLE_FIELDS} }} technology(slug: "redis") {{ name related {{ slug }} }} }}',
    )
    assert "errors" not in body
    assert [a["title"] for a in body["data"]["articles"]] == ["Redis caching"]
    article = body["data"]["articles"][0]
    assert article["technologies"] == [
        {"slug": "redis", "name": "Redis", "category": "caching-queues"}
    ]
    assert article["tags"] == ["performance"]
    assert body["data"]["technology"]["name"] == "Redis"


def test_drafts_stay_hidden_from_other_users(client, owner, other_user):
    draft = make_article(owner, status="draft")
    query = "query($slug: String!) { article(slug: $slug) { title } }"
    slug = {"slug": draft.slug}
    assert graphql(client, query, slug, user=other_user)["data"]["article"] is None
    assert graphql(client, query, slug, user=owner)["data"]["article"]["title"] == draft.title


def test_an_unknown_filter_value_is_an_error(client, db):
    body = graphql(client, '{ articles(filter: {technology: "cobol"}) { slug } }')
    assert body["errors"]


def test_create_update_conflict_and_revert(client, owner, mentor):
    created = graphql(
        client,
        """mutation($data: ArticleInput!) { createArticle(data: $data) {
             article { slug version bodyHtml } errors { field code } } }""",
        {"data": {"title": "GraphQL N+1", "body": "Use **dataloaders**.", "status": "published"}},
        user=owner,
    )["data"]["createArticle"]
    assert created["errors"] == []
    assert created["article"]["version"] == 1
    assert "<strong>dataloaders</strong>" in created["article"]["bodyHtml"]
    slug = created["article"]["slug"]

    update = """mutation($slug: String!, $version: Int!, $body: String!) {
      updateArticle(slug: $slug, version: $version, data: {body: $body}) {
        article { version body } errors { field code } currentVersion } }"""
    first = graphql(client, update, {"slug": slug, "version": 1, "body": "v2"}, user=mentor)
    assert first["data"]["updateArticle"]["article"] == {"version": 2, "body": "v2"}
    stale = graphql(client, update, {"slug": slug, "version": 1, "body": "mine"}, user=owner)
    payload = stale["data"]["updateArticle"]
    assert payload["article"] is None
    assert payload["errors"] == [{"field": "version", "code": "stale_version"}]
    assert payload["currentVersion"] == 2
    assert Article.objects.get(slug=slug).body == "v2"

    reverted = graphql(
        client,
        "mutation($slug: String!) { revertArticle(slug: $slug, revision: 1, version: 2) {"
        " article { version body } errors { code } } }",
        {"slug": slug},
        user=owner,
    )["data"]["revertArticle"]
    assert reverted["article"] == {"version": 3, "body": "Use **dataloaders**."}


def test_mutations_return_field_errors_and_permission_errors(client, owner, other_user):
    bad = graphql(
        client,
        'mutation { createArticle(data: {title: "", technologies: ["cobol"]}) { article { slug } errors { field } } }',
        user=owner,
    )["data"]["createArticle"]
    assert {e["field"] for e in bad["errors"]} == {"title", "technologies"}
    article = make_article(owner)
    forbidden = graphql(
        client,
        'mutation($slug: String!) { updateArticle(slug: $slug, version: 1, data: {title: "x"})'
        " { errors { code } } }",
        {"slug": article.slug},
        user=other_user,
    )["data"]["updateArticle"]
    assert forbidden["errors"] == [{"code": "permission_denied"}]


def test_anonymous_mutations_are_refused(client, owner):
    body = graphql(client, 'mutation { createArticle(data: {title: "x"}) { errors { code } } }')
    assert body["data"] is None
    assert body["errors"]


def test_comments_reactions_bookmarks_and_paths(client, owner, other_user):
    article = make_article(owner)
    comment = graphql(
        client,
        'mutation($slug: String!) { addComment(slug: $slug, body: "Nice") {'
        " comment { id bodyHtml } errors { code } } }",
        {"slug": article.slug},
        user=other_user,
    )["data"]["addComment"]
    assert comment["comment"]["bodyHtml"] == "<p>Nice</p>\n"
    helpful = graphql(
        client,
        "mutation($slug: String!) { setHelpful(slug: $slug, helpful: true) {"
        " article { helpfulCount } } }",
        {"slug": article.slug},
        user=other_user,
    )
    assert helpful["data"]["setHelpful"]["article"]["helpfulCount"] == 1
    graphql(
        client,
        "mutation($slug: String!) { setBookmark(slug: $slug, bookmarked: true) { errors { code } } }",
        {"slug": article.slug},
        user=other_user,
    )
    marks = graphql(client, "{ bookmarks { slug } }", user=other_user)["data"]["bookmarks"]
    assert marks == [{"slug": article.slug}]
    path = graphql(
        client,
        'mutation($slug: String!) { createLearningPath(title: "Month 1", articles: [$slug]) {'
        " path { slug steps { done } } errors { field } } }",
        {"slug": article.slug},
        user=owner,
    )["data"]["createLearningPath"]
    assert path["path"]["steps"] == [{"done": False}]
    marked = graphql(
        client,
        "mutation($path: String!, $slug: String!) { markPathStep(path: $path, article: $slug) {"
        " path { steps { done article { slug } } } } }",
        {"path": path["path"]["slug"], "slug": article.slug},
        user=other_user,
    )["data"]["markPathStep"]
    assert marked["path"]["steps"] == [{"done": True, "article": {"slug": article.slug}}]


def test_comments_on_unknown_articles_or_parents_are_not_found(client, owner, other_user):
    article = make_article(owner)
    add = """mutation($slug: String!, $parent: ID) { addComment(slug: $slug, body: "Hi", parent: $parent) {
      comment { id } errors { field code } } }"""
    unknown_parent = graphql(client, add, {"slug": article.slug, "parent": 999999}, user=other_user)
    assert unknown_parent["data"]["addComment"] == {
        "comment": None,
        "errors": [{"field": "parent", "code": "not_found"}],
    }
    unknown_article = graphql(client, add, {"slug": "no-such-article"}, user=other_user)
    assert unknown_article["data"]["addComment"]["errors"] == [
        {"field": "slug", "code": "not_found"}
    ]


def test_article_list_queries_do_not_grow_with_the_page(client, owner):
    for number in range(100):
        make_article(owner, title=f"Article {number}", tags=["a", "b"])
    query = "query($limit: Int!) { articles(limit: $limit) { slug tags author { displayName } technologies { slug } } }"
    counts = []
    for limit in (10, 50, 100):
        with CaptureQueriesContext(connection) as queries:
            body = graphql(client, query, {"limit": limit}, user=owner)
        assert len(body["data"]["articles"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2] <= 6, counts


def test_diff_between_revisions(client, owner):
    article = make_article(owner, body="a")
    services.article_update(article=article, editor=owner, expected_version=1, body="b")
    body = graphql(
        client,
        "query($slug: String!) { articleDiff(slug: $slug, fromRevision: 1, toRevision: 2) {"
        " changed unified } }",
        {"slug": article.slug},
    )
    diff = body["data"]["articleDiff"]
    assert diff["changed"] is True
    assert "+b" in diff["unified"]


def test_path_steps_leave_out_articles_the_reader_may_not_see(client, owner, mentor):
    kept, archived = make_article(owner, title="Setup"), make_article(owner, title="Retracted")
    path = services.learning_path_create(
        author=owner, title="P", articles=[kept.slug, archived.slug]
    )
    services.article_archive(article=archived, editor=owner)
    one = "query($slug: String!) { learningPath(slug: $slug) { steps { article { title } } } }"
    every = "{ learningPaths { steps { article { title } } } }"

    def titles(query, user=None):
        data = graphql(client, query, {"slug": path.slug}, user=user)["data"]
        found = data.get("learningPath") or data["learningPaths"][0]
        return [step["article"]["title"] for step in found["steps"]]

    assert titles(one) == titles(every) == ["Setup"]
    assert titles(one, mentor) == titles(every, owner) == ["Setup", "Retracted"]


@pytest.mark.parametrize("field", ["revisions", "comments"])
def test_a_negative_limit_lists_nothing_rather_than_failing(client, owner, field):
    # A negative slice of a query is a ValueError ("Negative indexing is not supported").
    article = make_article(owner)
    body = client.post(
        "/graphql/",
        {
            "query": f'{{ article(slug: "{article.slug}") {{ {field}(limit: -1) {{ __typename }} }} }}'
        },
        content_type="application/json",
    ).json()
    assert "errors" not in body, body
    assert body["data"]["article"][field] == []
