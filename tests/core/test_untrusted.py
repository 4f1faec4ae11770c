"""nexus.core.untrusted: media types we pass on, what counts as JSON, and where it is wired in."""

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from nexus.core.untrusted import is_json, is_untrusted_path, media_type
from tests.core.test_settings import run_manage

MIDDLEWARE = "nexus.core.untrusted.UntrustedContentMiddleware"


@pytest.mark.parametrize(
    "declared",
    [
        "text/html",
        "Text/HTML; Charset=UTF-8",
        'text/plain;charset="utf-8"',
        "application/vnd.api+json",
        "image/svg+xml",
        'multipart/mixed; boundary="a b;c"',
    ],
)
def test_a_well_formed_media_type_is_passed_on(declared):
    assert media_type(f" {declared} ") == declared


@pytest.mark.parametrize(
    "declared",
    [
        "text/html\r\nSet-Cookie: sessionid=forged",
        "text/html\nX-Frame-Options: ALLOWALL",
        "html",
        "text/html; charset",
        'text/html; charset="utf-8',
        "text /html",
        "*",
        "",
        "téxt/html",
    ],
)
def test_anything_else_goes_out_as_plain_bytes(declared):
    assert media_type(declared) == "application/octet-stream"


@pytest.mark.parametrize(
    ("media", "expected"),
    [
        ("application/json", True),
        ("Application/JSON; charset=utf-8", True),
        ("application/problem+json", True),
        ("application/vnd.api+JSON", True),
        ("text/json", True),
        ("text/html", False),
        ("image/svg+xml", False),
        ("application/jsonp", False),
        ("application/json-seq", False),
        ("text/html; note=+json", False),
        ("", False),
    ],
)
def test_what_counts_as_json(media, expected):
    assert is_json(media) is expected


def test_the_middleware_runs_before_anything_that_reads_credentials():
    order = settings.MIDDLEWARE
    for reader in (
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.middleware.common.CommonMiddleware",
    ):
        assert order.index(MIDDLEWARE) < order.index(reader), reader


def _routes(resolver: URLResolver, prefix: str = "/") -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern).lstrip("^")
        if isinstance(pattern, URLResolver):
            found.extend(_routes(pattern, route))
        elif isinstance(pattern, URLPattern):
            found.append((route, pattern.callback))
    return found


def test_every_route_to_the_mock_view_is_an_untrusted_path():
    from nexus.collab.mock import mock_endpoint

    routes = [route for route, view in _routes(get_resolver()) if view is mock_endpoint]
    assert routes
    assert all(is_untrusted_path(route) for route in routes), routes


@pytest.mark.parametrize(
    "origin", ["mocks.example.com", "https://mocks.example.com/mock", "ftp://mocks.example.com"]
)
def test_a_mock_origin_that_is_not_an_origin_is_refused_at_start(origin):
    result = run_manage("check", NEXUS_MOCK_ORIGIN=origin)
    assert result.returncode != 0
    assert "NEXUS_MOCK_ORIGIN must be an origin" in result.stderr


def test_a_mock_origin_is_an_allowed_host():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.ALLOWED_HOSTS)",
        NEXUS_MOCK_ORIGIN="https://mocks.example.com/",
    )
    assert result.returncode == 0, result.stderr
    assert "'mocks.example.com'" in result.stdout
