import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from nexus.accounts.jwt import refresh_token_for
from nexus.core.graphql import DOCUMENT_CACHE_SIZE
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


def test_a_null_profile_field_is_a_field_error_not_a_database_error(client, owner):
    body = graphql(
        client,
        'mutation { updateProfile(data: {bio: null, displayName: "New"}) { user { bio } errors { field code } } }',
        **bearer(owner),
    ).json()
    assert body["data"]["updateProfile"] == {
        "user": None,
        "errors": [{"field": "bio", "code": "invalid"}],
    }
    owner.refresh_from_db()
    assert owner.display_name == "Olivia Owner"


def test_deep_queries_are_refused(client, settings):
    settings.NEXUS_GRAPHQL_MAX_DEPTH = 1
    body = graphql(client, "{ users { results { displayName } } }").json()
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


def test_a_repeated_query_is_parsed_and_validated_once(client, settings):
    settings.NEXUS_GRAPHQL_MAX_DEPTH = 7  # limits no other test uses: a cache of its own
    query = "{ users { results { displayName bio } } }"
    validated = _get_validate_cache(DOCUMENT_CACHE_SIZE).cache_info()
    parsed = _get_parse_cache(DOCUMENT_CACHE_SIZE).cache_info()
    for _ in range(3):
        assert "errors" not in graphql(client, query).json()
    assert _get_validate_cache(DOCUMENT_CACHE_SIZE).cache_info().hits - validated.hits >= 2
    assert _get_parse_cache(DOCUMENT_CACHE_SIZE).cache_info().hits - parsed.hits >= 2


def test_cached_documents_still_meet_the_limits_in_force(client, settings):
    query = "{ users { results { displayName } } }"
    assert "errors" not in graphql(client, query).json()
    settings.NEXUS_GRAPHQL_MAX_DEPTH = 1
    body = graphql(client, query).json()
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


# Every ID argument that names a row by its integer key, given something that cannot be one.
NOT_AN_INTEGER = "abc"
QUERIES_BY_ID = [
    f'{{ user(id: "{NOT_AN_INTEGER}") {{ id }} }}',
    f'{{ challenge(id: "{NOT_AN_INTEGER}") {{ id }} }}',
    f'{{ importJob(id: "{NOT_AN_INTEGER}") {{ id }} }}',
]
MUTATIONS_BY_ID = [
    ("postSolution", f'postSolution(challengeId: "{NOT_AN_INTEGER}", body: "x")', "challenge_id"),
    ("voteChallenge", f'voteChallenge(id: "{NOT_AN_INTEGER}", value: 1)', "id"),
    ("voteSolution", f'voteSolution(id: "{NOT_AN_INTEGER}", value: 1)', "id"),
    ("acceptSolution", f'acceptSolution(challengeId: "{NOT_AN_INTEGER}")', "challenge_id"),
    ("moveIntegrationIssue", f'moveIntegrationIssue(id: "{NOT_AN_INTEGER}", status: "open")', "id"),
    (
        "rateOperation",
        f'rateOperation(data: {{operationId: "{NOT_AN_INTEGER}", naming: 3}})',
        "operation_id",
    ),
    ("editComment", f'editComment(id: "{NOT_AN_INTEGER}", body: "x")', "id"),
    ("removeComment", f'removeComment(id: "{NOT_AN_INTEGER}")', "id"),
]


@pytest.mark.parametrize("query", QUERIES_BY_ID)
def test_an_id_that_is_no_integer_finds_nothing(client, owner, query):
    body = graphql(client, query, **bearer(owner)).json()
    assert "errors" not in body, body
    assert list(body["data"].values()) == [None]


@pytest.mark.parametrize(("name", "call", "field"), MUTATIONS_BY_ID)
def test_a_mutation_given_an_id_that_is_no_integer_answers_not_found(
    client, owner, name, call, field
):
    body = graphql(client, f"mutation {{ {call} {{ errors {{ field code }} }} }}", **bearer(owner))
    assert body.json()["data"][name]["errors"] == [{"field": field, "code": "not_found"}]


def test_a_reply_to_a_comment_id_that_is_no_integer_answers_not_found(client, owner):
    from tests.knowledge.factories import make_article

    article = make_article(owner)
    mutation = (
        f'mutation {{ addComment(slug: "{article.slug}", body: "x", parent: "{NOT_AN_INTEGER}") '
        "{ errors { field code } } }"
    )
    body = graphql(client, mutation, **bearer(owner)).json()
    assert body["data"]["addComment"]["errors"] == [{"field": "parent", "code": "not_found"}]


def test_an_invalid_regex_filter_is_a_graphql_error_not_a_database_one(client):
    # PostgreSQL refused "*a" inside the filtered query (a DataError).
    body = graphql(client, '{ users(filters: {cohort: {regex: "*a"}}) { totalCount } }').json()
    assert body["errors"][0]["message"] == "Not a regular expression: '*a'."


def test_an_invalid_regex_in_variables_is_refused_too(client):
    query = "query($f: UserFilter) { users(filters: $f) { totalCount } }"
    body = graphql(client, query, {"f": {"track": {"iRegex": "("}}}).json()
    assert body["errors"][0]["message"] == "Not a regular expression: '('."


def test_a_valid_regex_filter_still_filters(client):
    UserFactory(cohort="cohort-7")
    UserFactory(cohort="other")
    body = graphql(client, '{ users(filters: {cohort: {regex: "^cohort-[0-9]$"}}) { totalCount } }')
    assert body.json()["data"]["users"]["totalCount"] == 1


@pytest.mark.parametrize("year", [-66089, 0, 10000])
def test_a_year_lookup_no_date_can_have_is_a_graphql_error_not_a_value_error(client, owner, year):
    # Django built the year's bounds from it: "year -66089 is out of range" inside the query.
    query = (
        f"{{ notifications(filters: {{readAt: {{year: {{exact: {year}}}}}}}) {{ totalCount }} }}"
    )
    body = graphql(client, query, **bearer(owner)).json()
    assert body["errors"][0]["message"] == f"No date has the year {year}."
