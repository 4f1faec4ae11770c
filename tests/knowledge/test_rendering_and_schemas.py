from html.parser import HTMLParser

import pytest

from nexus.knowledge import selectors, services
from nexus.knowledge.models import Article
from tests import hostile
from tests.knowledge.factories import make_article
from tests.shared import require
from tests.tiers import sample, whole_in_verify

pytestmark = pytest.mark.django_db

FORBIDDEN_TAGS = {"script", "svg", "math", "iframe", "object", "embed", "form", "base", "meta"}
C0_AND_SPACE = "".join(chr(code) for code in range(0x21))
URL_ATTRIBUTES = {"href", "src", "action", "xlink:href", "formaction"}


class UnsafeMarkupFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            # As a browser's URL parser reads it: leading C0 controls and spaces dropped, tabs and
            # newlines removed anywhere (other Unicode spaces make the URL relative, and harmless).
            url = (value or "").lstrip(C0_AND_SPACE).replace("\t", "").replace("\n", "")
            scheme = url.replace("\r", "").lower()
            if name in URL_ATTRIBUTES and scheme.startswith(("javascript:", "vbscript:", "data:")):
                self.problems.append(f"{tag}[{name}={value}]")


def stored_problems(client, payloads: list[str]) -> list[str]:
    """Each payload posted as an article's body: stored rendered safe, or refused as bad input."""
    problems = []
    for number, payload in enumerate(payloads):
        response = client.post(
            "/api/v1/articles/",
            {"title": f"Payload {number}", "body": payload, "status": "draft"},
            format="json",
        )
        if response.status_code == 400 and "\x00" in payload:
            # PostgreSQL cannot store NUL; the API refuses it for the field, as a bad input.
            assert [e["field"] for e in response.json()["errors"]] == ["body"]
            continue
        assert response.status_code == 201, (number, response.json())
        finder = UnsafeMarkupFinder()
        finder.feed(Article.objects.get(slug=response.json()["slug"]).body_html)
        problems += [f"payload {number}: {problem}" for problem in finder.problems]
    return problems


# Every vector and payload reaches the sanitiser in tests/core/test_markdown.py; through the API
# and the database, make test takes a sample and make verify all of them.
@whole_in_verify
def test_every_own_hostile_vector_is_stored_neutralised(client_for, owner):
    vectors = sample([source for _, source in hostile.xss_vectors()], 64)
    assert stored_problems(client_for(owner), vectors) == []


@whole_in_verify
def test_every_shared_hostile_payload_is_stored_neutralised(client_for, owner):
    require(hostile.SHARED_XSS)
    payloads = sample([payload for _, payload in hostile.shared_xss_payloads()], 64)
    assert stored_problems(client_for(owner), payloads) == []


def test_an_unchanged_body_is_not_rendered_again(owner):
    article = make_article(owner, body="Same body")
    Article.objects.filter(pk=article.pk).update(body_html="<p>rendered once</p>")
    article.refresh_from_db()
    services.article_update(
        article=article, editor=owner, expected_version=1, body="Same body", title="New title"
    )
    article.refresh_from_db()
    assert article.body_html == "<p>rendered once</p>"
    assert article.title == "New title"


def test_popular_this_week_orders_by_recent_helpful_reactions(owner, other_user, mentor):
    quiet = make_article(owner, title="Quiet")
    loved = make_article(owner, title="Loved")
    make_article(owner, title="Draft", status="draft")
    for user in (other_user, mentor):
        services.reaction_add(article=loved, user=user)
    services.reaction_add(article=quiet, user=other_user)
    assert [a.title for a in selectors.popular_this_week()] == ["Loved", "Quiet"]


def test_the_openapi_schema_documents_the_knowledge_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/technologies/",
        "/api/v1/articles/",
        "/api/v1/articles/{slug}/",
        "/api/v1/articles/{slug}/revisions/",
        "/api/v1/articles/{slug}/revisions/{number}/",
        "/api/v1/articles/{slug}/diff/",
        "/api/v1/articles/{slug}/revert/",
        "/api/v1/articles/{slug}/comments/",
        "/api/v1/articles/{slug}/reactions/",
        "/api/v1/articles/{slug}/bookmark/",
        "/api/v1/bookmarks/",
        "/api/v1/paths/",
        "/api/v1/paths/{slug}/progress/",
    ):
        assert path in paths, path
    patch = paths["/api/v1/articles/{slug}/"]["patch"]
    assert {"If-Match"} <= {p["name"] for p in patch["parameters"]}
    assert {"412", "428"} <= set(patch["responses"])
    article = schema["components"]["schemas"]["Article"]["properties"]
    assert {"slug", "title", "summary", "body", "body_html", "kind", "technologies"} <= set(article)
    assert {"tags", "status", "author", "version", "created_at", "updated_at"} <= set(article)


def test_the_graphql_schema_exposes_the_knowledge_base(client):
    body = client.post(
        "/graphql/",
        {
            "query": "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }"
        },
        content_type="application/json",
    ).json()["data"]["__schema"]
    queries = {field["name"] for field in body["queryType"]["fields"]}
    mutations = {field["name"] for field in body["mutationType"]["fields"]}
    assert {"articles", "article", "articleDiff", "technologies", "learningPaths"} <= queries
    assert {"createArticle", "updateArticle", "revertArticle", "archiveArticle"} <= mutations
    assert {"addComment", "setHelpful", "setBookmark", "markPathStep"} <= mutations
