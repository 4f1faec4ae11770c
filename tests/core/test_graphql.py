import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.accounts.jwt import refresh_token_for
from nexus.knowledge.models import Article
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def graphql(client, query, variables=None, **headers):
    response = client.post(
        "/graphql/",
        {"query": query, "variables": variables or {}},
        content_type="application/json",
        headers=headers,
    )
    return response


def bearer(user):
    return {"Authorization": f"Bearer {refresh_token_for(user).access_token}"}


def test_introspection_lists_the_types(client):
    body = graphql(client, "{ __schema { queryType { name } types { name } } }").json()
    names = {t["name"] for t in body["data"]["__schema"]["types"]}
    assert {"User", "Me", "Query", "Mutation"} <= names


def test_graphiql_is_served_from_local_static_files(client):
    response = client.get("/graphql/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/graphiql.min.js" in html
    assert "unpkg.com" not in html


def test_me_answers_with_a_jwt(client, owner):
    body = graphql(client, "{ me { email displayName } }", **bearer(owner)).json()
    assert body["data"]["me"] == {"email": owner.email, "displayName": owner.display_name}


def test_me_is_refused_to_anonymous_users(client):
    body = graphql(client, "{ me { email } }").json()
    assert body["data"] is None
    assert "not authenticated" in body["errors"][0]["message"].lower()


def test_a_tampered_jwt_is_a_401(client, owner):
    token = str(refresh_token_for(owner).access_token)
    response = graphql(client, "{ me { email } }", Authorization=f"Bearer {token[:-3]}abc")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_session_mutations_need_the_csrf_token(owner):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    mutation = 'mutation { updateProfile(data: {bio: "hi"}) { errors { field } } }'
    response = graphql(browser, mutation)
    assert response.status_code == 403
    owner.refresh_from_db()
    assert owner.bio == ""


def test_update_profile_returns_the_user_or_typed_errors(client, owner):
    ok = graphql(
        client,
        'mutation { updateProfile(data: {bio: "Learning Celery"}) { user { bio } errors { field } } }',
        **bearer(owner),
    ).json()
    assert ok["data"]["updateProfile"] == {"user": {"bio": "Learning Celery"}, "errors": []}
    bad = graphql(
        client,
        'mutation { updateProfile(data: {track: "astronaut"}) { user { bio } errors { field code } } }',
        **bearer(owner),
    ).json()
    assert bad["data"]["updateProfile"]["user"] is None
    assert bad["data"]["updateProfile"]["errors"] == [{"field": "track", "code": "invalid_choice"}]


def test_deep_queries_are_refused(client, settings):
    settings.NEXUS_GRAPHQL_MAX_DEPTH = 1
    body = graphql(client, "{ users { results { displayName } } }").json()
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


def test_many_aliases_are_refused(client):
    aliases = " ".join(f"a{i}: users {{ totalCount }}" for i in range(20))
    body = graphql(client, f"{{ {aliases} }}").json()
    assert "aliases" in body["errors"][0]["message"].lower()


@pytest.mark.parametrize("page_size", [2, 20])
def test_listing_users_takes_the_same_queries_whatever_the_page_size(client, page_size):
    UserFactory.create_batch(25)
    query = "query($n: Int!) { users(pagination: {limit: $n}) { totalCount results { id displayName } } }"
    with CaptureQueriesContext(connection) as queries:
        body = graphql(client, query, {"n": page_size}).json()
    assert len(body["data"]["users"]["results"]) == page_size
    assert len(queries) <= 3


def test_a_logged_in_browser_with_the_csrf_token_can_query_and_mutate(owner):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    browser.get("/graphql/", headers={"Accept": "text/html"})
    token = browser.cookies["csrftoken"].value
    query = graphql(browser, "{ me { email } }", **{"X-CSRFToken": token})
    assert query.status_code == 200
    assert query.json()["data"]["me"]["email"] == owner.email
    mutation = graphql(
        browser,
        'mutation { updateProfile(data: {bio: "from GraphiQL"}) { errors { field } } }',
        **{"X-CSRFToken": token},
    )
    assert mutation.json()["data"]["updateProfile"]["errors"] == []
    owner.refresh_from_db()
    assert owner.bio == "from GraphiQL"


CREATE_ARTICLE = """mutation($data: ArticleInput!) {
  createArticle(data: $data) { article { slug } errors { field } }
}"""


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (CREATE_ARTICLE, {"data": {"title": "Nul", "body": "before\x00after"}}),
        (CREATE_ARTICLE, {"data": {"title": "Nul", "body": "fine", "tags": ["a\x00"]}}),
        (
            'mutation { createArticle(data: {title: "N\\u0000ul", body: "x"}) { errors { field } } }',
            {},
        ),
        ('{ search(q: "a\\u0000b") { total } }', {}),
    ],
)
def test_a_nul_character_anywhere_is_refused_before_any_resolver_runs(
    client, owner, query, variables
):
    body = graphql(client, query, variables, **bearer(owner)).json()
    assert body["data"] is None
    assert [error["message"] for error in body["errors"]] == [
        "Text may not contain NUL characters."
    ]
    assert not Article.objects.exists()
