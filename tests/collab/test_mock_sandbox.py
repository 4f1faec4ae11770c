"""A mock can never run script on the app's origin (issue #14: stored XSS through API mocks).

Whatever a spec's example holds and whatever media type it claims, a mock's answer is inert:
a sandboxing Content-Security-Policy, nosniff, an attachment unless it is JSON, JSON whenever the
spec offers it, and no use of the caller's session, cookies or Authorization.
"""

import json

import pytest
from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import include, path
from django.utils.csp import CSP

from nexus.collab.services.catalog import api_create, spec_version_create
from nexus.core.untrusted import SANDBOX_POLICY
from tests import figures, hostile
from tests.tiers import VERIFY, sample, whole_in_verify

pytestmark = pytest.mark.django_db

HTML_SCRIPT = '<!doctype html><script>fetch("/api/v1/me/tokens/", {method: "POST"})</script>'
SVG_ONLOAD = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>'
XML_SCRIPT = '<?xml version="1.0"?><script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script>'
SITE_POLICY = {"default-src": [CSP.SELF], "script-src": [CSP.SELF, CSP.NONCE]}
CSP_MIDDLEWARE = "django.middleware.csp.ContentSecurityPolicyMiddleware"


def answer(examples: dict[str, object], status: str = "200") -> dict:
    """A response offering one example per media type."""
    content = {media: {"example": example} for media, example in examples.items()}
    return {status: {"description": "An example", "content": content}}


def get(responses: dict) -> dict:
    return {"get": {"responses": responses}}


HOSTILE_PATHS = {
    "/page": get(answer({"text/html": HTML_SCRIPT})),
    "/logo": get(answer({"image/svg+xml": SVG_ONLOAD})),
    "/feed": get(answer({"text/xml": XML_SCRIPT})),
    "/odd": get(answer({'Text/HTML; Charset="UTF-8"': HTML_SCRIPT})),
    "/forged": get(answer({"text/html\r\nSet-Cookie: sessionid=forged": HTML_SCRIPT})),
    "/pets": get(
        {
            **answer({"application/json": [{"id": 1}]}),
            **answer({"text/html": HTML_SCRIPT}, status="404"),
        }
    ),
    "/either": get(answer({"text/html": HTML_SCRIPT, "application/json": {"ok": True}})),
    "/problem": get(
        answer(
            {
                "text/html": HTML_SCRIPT,
                "Application/Problem+JSON; charset=utf-8": {"title": "<script>"},
            }
        )
    ),
    "/empty": get({"204": {"description": "Nothing"}}),
}


def register(owner, name: str, paths: dict) -> str:
    """Register an API whose latest spec has these paths; returns its mock base."""
    api = api_create(actor=owner, name=name)
    spec = {"openapi": "3.0.3", "info": {"title": name, "version": "1"}, "paths": paths}
    spec_version_create(api=api, raw=json.dumps(spec), source="paste", actor=owner)
    return f"/mock/{api.slug}/latest"


@pytest.fixture
def hostile_mock(owner) -> str:
    return register(owner, "Hostile", HOSTILE_PATHS)


def assert_inert(response, *, attachment: bool) -> None:
    assert response[CSP.HEADER_ENFORCE] == SANDBOX_POLICY
    assert "frame-ancestors 'none'" in response[CSP.HEADER_ENFORCE]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.get("Content-Disposition") == ("attachment" if attachment else None)
    assert "Access-Control-Allow-Credentials" not in response
    assert not response.cookies
    assert all(type(name) is str for name in response.headers)  # what WSGI servers insist on


@pytest.mark.parametrize(
    ("path", "media", "body"),
    [
        ("/page", "text/html", HTML_SCRIPT),
        ("/logo", "image/svg+xml", SVG_ONLOAD),
        ("/feed", "text/xml", XML_SCRIPT),
        ("/odd", 'Text/HTML; Charset="UTF-8"', HTML_SCRIPT),
    ],
)
def test_an_active_example_goes_out_sandboxed_as_an_attachment(hostile_mock, path, media, body):
    response = Client().get(hostile_mock + path)
    assert response.status_code == 200
    assert response["Content-Type"] == media
    assert response.content.decode() == body
    assert_inert(response, attachment=True)


def test_a_media_type_that_would_forge_headers_goes_out_as_plain_bytes(hostile_mock):
    response = Client().get(hostile_mock + "/forged")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert_inert(response, attachment=True)


def test_a_prefer_header_picking_an_html_error_example_is_sandboxed_too(hostile_mock):
    response = Client().get(hostile_mock + "/pets", headers={"Prefer": "wait=5, code=404"})
    assert response.status_code == 404
    assert response["Content-Type"] == "text/html"
    assert response.content.decode() == HTML_SCRIPT
    assert_inert(response, attachment=True)


@pytest.mark.parametrize(
    ("path", "media", "body"),
    [
        ("/pets", "application/json", [{"id": 1}]),
        ("/either", "application/json", {"ok": True}),
        ("/problem", "Application/Problem+JSON; charset=utf-8", {"title": "<script>"}),
    ],
)
def test_json_is_the_answer_whenever_the_spec_offers_it(hostile_mock, path, media, body):
    response = Client().get(hostile_mock + path)
    assert response.status_code == 200
    assert response["Content-Type"] == media
    assert json.loads(response.content) == body
    assert_inert(response, attachment=False)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/mock/hostile/latest/nowhere", 404),
        ("get", "/mock/unknown/latest/page", 404),
        ("get", "/mock/hostile/9/page", 404),
        ("get", "/mock/hostile/abc/", 404),
        ("get", "/mock/not a slug/1/page", 404),
        ("get", "/mock/", 404),
        ("post", "/mock/hostile/latest/page", 405),
        ("get", "/mock/hostile/latest/empty", 204),
    ],
)
def test_errors_and_empty_answers_from_the_mock_routes_are_inert(
    hostile_mock, method, path, status
):
    response = getattr(Client(), method)(path)
    assert response.status_code == status
    is_json = response.get("Content-Type", "").startswith("application/problem+json")
    assert is_json == (status != 204)
    assert_inert(response, attachment=not is_json)


def test_a_cors_preflight_is_inert_and_never_allows_credentials(hostile_mock):
    response = Client().options(
        hostile_mock + "/page",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert_inert(response, attachment=True)


def storable_xss_vectors() -> list[tuple[str, str]]:
    # PostgreSQL's jsonb cannot hold a NUL character, so no stored spec can carry those vectors.
    return [(title, source) for title, source in hostile.xss_vectors() if "\x00" not in source]


@whole_in_verify
def test_every_own_xss_vector_served_as_html_is_sandboxed(owner):
    vectors = sample(storable_xss_vectors(), 64)
    paths = {
        f"/xss/{n}": get(answer({"text/html": source})) for n, (_, source) in enumerate(vectors)
    }
    base = register(owner, "Vectors", paths)
    client = Client()
    served = 0
    for number, (title, source) in enumerate(vectors):
        response = client.get(f"{base}/xss/{number}")
        assert response.status_code == 200, title
        assert response.content.decode() == source, title
        assert_inert(response, attachment=True)
        served += 1
    assert served == len(vectors) >= (250 if VERIFY else 64)
    figures.report(f"xss vectors served by a mock as text/html: {served}, every one sandboxed")


# --- The caller's credentials ------------------------------------------------------------------


def _probe(request: HttpRequest) -> JsonResponse:
    """What a view can learn about the caller; then it tries every way of setting a cookie."""
    seen = {
        "signed_in": request.user.is_authenticated,
        "cookies": sorted(request.COOKIES),
        "cookie_header": request.headers.get("Cookie"),
        "authorization": request.headers.get("Authorization"),
        "session_key": request.session.session_key,
    }
    request.session["probed"] = True
    get_token(request)
    response = JsonResponse(seen)
    response.set_cookie("tracker", "1")
    response["Access-Control-Allow-Credentials"] = "true"
    return response


urlpatterns = [
    path("mock/probe/", _probe),
    path("probe/", _probe),
    path("", include("nexus.urls")),
]


@pytest.mark.urls(__name__)
def test_a_signed_in_callers_session_and_credentials_never_reach_a_mock_route(owner):
    client = Client()
    client.force_login(owner)
    headers = {"Authorization": "Bearer a-personal-token"}
    on_app = client.get("/probe/", headers=headers)
    assert on_app.json()["signed_in"] is True  # the probe sees a session where one is allowed
    response = client.get("/mock/probe/", headers=headers)
    assert response.json() == {
        "signed_in": False,
        "cookies": [],
        "cookie_header": None,
        "authorization": None,
        "session_key": None,
    }
    assert_inert(response, attachment=False)
    assert "Set-Cookie" not in str(response.serialize_headers())


def test_a_signed_in_caller_gets_the_anonymous_answer_and_no_cookie(hostile_mock, owner):
    anonymous = Client().get(hostile_mock + "/pets")
    client = Client()
    client.force_login(owner)
    signed_in = client.get(hostile_mock + "/pets")
    assert signed_in.content == anonymous.content
    assert_inert(signed_in, attachment=False)
    assert "Cookie" not in signed_in.get("Vary", "")  # the session was never even read


# --- Next to Django's site-wide Content-Security-Policy ----------------------------------------


@pytest.fixture(params=["outermost", "after-security"])
def site_wide_csp(request, settings):
    """SECURE_CSP and its middleware, at either end of the chain, whatever settings.py has."""
    settings.SECURE_CSP = SITE_POLICY
    middleware = [name for name in settings.MIDDLEWARE if name != CSP_MIDDLEWARE]
    at = (
        0
        if request.param == "outermost"
        else (middleware.index("django.middleware.security.SecurityMiddleware") + 1)
    )
    settings.MIDDLEWARE = [*middleware[:at], CSP_MIDDLEWARE, *middleware[at:]]


def test_the_sandbox_policy_wins_over_the_site_wide_policy_on_mock_routes(
    hostile_mock, site_wide_csp
):
    client = Client()
    page = client.get("/healthz")
    assert page[CSP.HEADER_ENFORCE] == "default-src 'self'; script-src 'self'"
    for route in ("/page", "/pets", "/nowhere"):
        assert_inert(client.get(hostile_mock + route), attachment=route == "/page")


# --- NEXUS_MOCK_ORIGIN: mocks on a host of their own ---------------------------------------------

MOCK_HOST = "mocks.nexus.test"


@pytest.fixture
def mock_origin(settings):
    settings.NEXUS_MOCK_ORIGIN = f"https://{MOCK_HOST}"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, MOCK_HOST]


def test_with_a_mock_origin_mocks_answer_there_only(hostile_mock, mock_origin):
    there = Client(HTTP_HOST=MOCK_HOST).get(hostile_mock + "/page")
    assert there.status_code == 200
    assert_inert(there, attachment=True)
    here = Client().post(hostile_mock + "/pets?limit=5", {"name": "Rex"})
    assert here.status_code == 308
    assert here["Location"] == f"https://{MOCK_HOST}{hostile_mock}/pets?limit=5"
    assert_inert(here, attachment=True)


@pytest.mark.parametrize("path", ["/", "/apis/", "/accounts/login/", "/api/v1/me/", "/admin/"])
def test_the_mock_origin_serves_nothing_of_the_app(hostile_mock, mock_origin, owner, path):
    client = Client(HTTP_HOST=MOCK_HOST)
    client.force_login(owner)
    response = client.get(path)
    assert response.status_code == 404
    assert_inert(response, attachment=False)


def test_the_catalog_shows_the_mock_base_on_the_mock_origin(hostile_mock, mock_origin):
    page = Client().get("/apis/hostile/")
    assert f"https://{MOCK_HOST}/mock/hostile/1/" in page.content.decode()


def test_without_a_mock_origin_the_catalog_shows_the_mock_base_here(hostile_mock):
    page = Client().get("/apis/hostile/")
    assert '<code data-testid="mock-base">/mock/hostile/1/</code>' in page.content.decode()
