"""Every page carries the Content-Security-Policy: scripts and styles from our origin or with the
response's nonce, never inline handlers or eval, and a view's own policy is left alone."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from nexus.core.markdown import render_markdown
from tests.csp.urls import OWN_POLICY
from tests.knowledge.factories import ensure_taxonomy, make_article

pytestmark = pytest.mark.django_db

NEXUS = Path(__file__).resolve().parents[2] / "nexus"
HEADER = "Content-Security-Policy"
NONCE_IN_HEADER = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
# Routes walked but not as pages: the admin (its many model pages are Django's own) and the
# logout, which only answers POST.
NOT_WALKED = ("admin/", "accounts/logout/")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def policy_of(response) -> dict[str, list[str]]:
    directives = (part.strip().split(" ") for part in response[HEADER].split(";"))
    return {name: values for name, *values in directives}


def nonce_of(response) -> str:
    found = NONCE_IN_HEADER.search(response[HEADER])
    assert found, f"no nonce in {response[HEADER]!r}"
    return found.group(1)


def _routes_without_parameters(resolver: URLResolver, prefix: str = "") -> list[str]:
    routes = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _routes_without_parameters(pattern, route)
        elif isinstance(pattern, URLPattern) and not pattern.pattern.regex.groups:
            routes.append("/" + route.lstrip("^").rstrip("$"))
    return routes


PARAMETERLESS_ROUTES = [
    route
    for route in _routes_without_parameters(get_resolver())
    if not route.lstrip("/").startswith(NOT_WALKED)
]


def assert_scripts_carry_the_nonce(response) -> None:
    """Every script element (JSON data blocks aside, which never run) has this response's nonce."""
    html = response.content.decode()
    tags = [tag for tag in SCRIPT_TAG.findall(html) if "application/json" not in tag]
    if html.lstrip().startswith("<!doctype html>"):
        assert tags, "every page loads htmx at least"
    nonce = nonce_of(response) if tags else ""
    for tag in tags:
        assert f'nonce="{nonce}"' in tag, f"{tag} lacks the response's nonce"


def test_the_policy_refuses_inline_scripts_eval_and_framing():
    response = Client().get("/")
    policy, nonce = policy_of(response), f"'nonce-{nonce_of(response)}'"
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'", nonce, "'report-sample'"]
    assert policy["style-src"] == ["'self'", nonce, "'report-sample'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["report-uri"] == [reverse("csp-reports")]
    assert policy["report-to"] == [settings.NEXUS_CSP_REPORT_GROUP]
    for loophole in ("'unsafe-inline'", "'unsafe-eval'", "'strict-dynamic'", "*", "http:"):
        assert loophole not in response[HEADER].split()


def test_reports_go_to_our_endpoint_by_both_mechanisms():
    response = Client().get("/")
    assert response["Reporting-Endpoints"] == (
        f'{settings.NEXUS_CSP_REPORT_GROUP}="http://testserver{reverse("csp-reports")}"'
    )


@pytest.mark.parametrize("route", PARAMETERLESS_ROUTES)
def test_every_page_answers_with_the_policy_and_its_scripts_with_a_fresh_nonce(admin_user, route):
    client = signed_in(admin_user)
    first = client.get(route)
    assert HEADER in first, f"{route} ({first.status_code}) has no policy"
    if first.status_code == 200 and "<script" in first.content.decode():
        assert_scripts_carry_the_nonce(first)
        second = client.get(route)
        assert_scripts_carry_the_nonce(second)
        assert nonce_of(first) != nonce_of(second)


@pytest.fixture
def article(owner):
    ensure_taxonomy()
    return make_article(owner, body="| a | b |\n|:--|--:|\n| 1 | 2 |")


@pytest.mark.parametrize(
    "page", ["/articles/{slug}/", "/articles/{slug}/edit/", "/articles/{slug}/history/"]
)
def test_pages_about_one_article_carry_the_nonce_too(owner, article, page):
    response = signed_in(owner).get(page.format(slug=article.slug))
    assert response.status_code == 200
    assert_scripts_carry_the_nonce(response)


def test_markdown_table_alignment_is_the_one_style_attribute_allowed(article):
    """The policy allows style attributes only by hash: those must be what the renderer writes."""
    allowed = policy_of(Client().get("/"))["style-src-attr"]
    assert allowed[0] == "'unsafe-hashes'"
    rendered = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |").html
    styles = set(re.findall(r'style="([^"]*)"', rendered))
    assert styles == {"text-align:left", "text-align:center", "text-align:right"}
    for style in styles:
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed


@pytest.mark.urls("tests.csp.urls")
def test_a_view_that_sets_its_own_policy_keeps_it():
    response = Client().get("/own-policy/")
    assert response[HEADER] == OWN_POLICY
    assert "Reporting-Endpoints" not in response


def test_the_browsable_api_may_style_inline_but_scripts_stay_strict():
    response = Client().get("/api/v1/technologies/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    policy = policy_of(response)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    # No nonce: DRF's template has no inline script to give one to.
    assert policy["script-src"] == ["'self'", "'report-sample'"]
    assert "'unsafe-inline'" not in response[HEADER].split("style-src")[0]


def test_redoc_may_inject_styles_and_start_its_search_worker_but_scripts_stay_strict():
    response = Client().get("/api/redoc/")
    policy = policy_of(response)
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["worker-src"] == ["'self'", "blob:"]
    assert policy["script-src"] == ["'self'", f"'nonce-{nonce_of(response)}'", "'report-sample'"]
    assert_scripts_carry_the_nonce(response)


def test_report_only_mode_sends_the_same_policy_without_enforcing_it(settings):
    settings.SECURE_CSP_REPORT_ONLY, settings.SECURE_CSP = settings.SECURE_CSP, {}
    response = Client().get("/")
    assert HEADER not in response
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy-Report-Only"]
    assert "Reporting-Endpoints" in response


# What a Content-Security-Policy without 'unsafe-inline' refuses to run or apply.
INLINE_CODE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I),
    "inline <style>": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "htmx eval (hx-on, trigger filters, js: values)": re.compile(
        r"hx-on|hx-trigger=['\"][^'\"]*\[|(hx-vals|hx-vars)=['\"]js:", re.I
    ),
}


TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)


def _page_templates() -> dict[Path, list[str]]:
    """Each template's lines, comments blanked; e-mail templates are not under our policy."""
    return {
        path: TEMPLATE_COMMENT.sub(
            lambda comment: "\n" * comment.group().count("\n"), path.read_text()
        ).splitlines()
        for path in NEXUS.rglob("templates/**/*.html")
        if "email" not in path.parts
    }


@pytest.mark.parametrize("kind", INLINE_CODE)
def test_no_template_has_inline_code(kind):
    found = [
        f"{path.relative_to(NEXUS)}:{number}"
        for path, lines in _page_templates().items()
        for number, line in enumerate(lines, start=1)
        if INLINE_CODE[kind].search(line)
    ]
    assert not found, f"{kind} (move it into a static file): {found}"
