"""Every id in a URL is typed: a malformed one answers 404 (never 500), on REST, web pages alike.

The guard walks every pattern of nexus.urls and fails on an id-like part that its converter or
regex does not type, so a new route cannot bring the 500 back; the probe then asks every id route
with ids that are not ids, or are ids no row can have, and expects 404 from each.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from nexus.accounts.services import team_create
from nexus.collab.services.catalog import api_create
from tests.knowledge.factories import ensure_taxonomy, make_article

# Parts of a URL that name a row (or a number of one): they must be typed.
ID_LIKE = re.compile(r"^(pk|id|.+_id|number|learner)$")
# Sent in place of each id: not a number, not an integer, negative, past bigint, a NUL byte.
MALFORMED_IDS = ("abc", "1.5", "-1", "%00")
OUT_OF_RANGE_ID = "99999999999999999999"
# Django's admin takes any object id in its URLs and answers a malformed one itself (a redirect
# with "doesn't exist"); it is not one of our routes.
NOT_OURS = ("admin/",)
# What the non-id parts of a route are filled with: the probe's rows all use this slug.
PROBE_SLUG = "probe"
OTHER_PARTS = {"chart": "activity", "format": "json"}


@dataclass(frozen=True)
class Route:
    template: str  # the pattern as written, with every captured part's regex
    parts: dict[str, str]  # captured name -> the regex it must match
    methods: tuple[str, ...]

    def url(self, *, id_value: str = "1", slug: str = PROBE_SLUG) -> str:
        """The URL with `id_value` for each id, `slug` for each slug, fitting values elsewhere."""
        fill = {
            name: id_value
            if ID_LIKE.match(name)
            else slug
            if name.endswith("slug")
            else OTHER_PARTS.get(name, PROBE_SLUG)
            for name in self.parts
        }
        return "/" + _substitute(self.template, fill)

    def __str__(self) -> str:
        return self.template


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + _as_regex(entry.pattern))
        else:
            yield prefix + _as_regex(entry.pattern), entry


def _as_regex(pattern: RoutePattern | RegexPattern) -> str:
    """A pattern's regex (a path() route's is built from its converters' regexes), unanchored."""
    return pattern.regex.pattern.removeprefix("^").removesuffix(r"\Z").removesuffix("$")


def _groups(regex: str) -> dict[str, str]:
    """Each named group of a regex and the regex inside it (groups may nest parentheses)."""
    found = {}
    for match in re.finditer(r"\(\?P<(\w+)>", regex):
        depth, index = 1, match.end()
        while depth:
            char = regex[index]
            if char == "\\":
                index += 1
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
            index += 1
        found[match.group(1)] = regex[match.end() : index - 1]
    return found


def _substitute(regex: str, values: dict[str, str]) -> str:
    text = regex
    for name, inner in _groups(regex).items():
        text = text.replace(f"(?P<{name}>{inner})", values[name], 1)
    return text.replace("\\.", ".").replace("\\-", "-")


def _methods(pattern: URLPattern) -> tuple[str, ...]:
    actions = getattr(pattern.callback, "actions", None)  # a DRF viewset's routes
    if actions:
        return tuple(method.upper() for method in actions)
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is not None:
        return tuple(
            m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)
        )
    return ("GET", "POST")


def all_routes() -> list[Route]:
    routes = []
    for regex, pattern in _walk(get_resolver()):
        if regex.startswith(NOT_OURS):
            continue
        routes.append(Route(template=regex, parts=_groups(regex), methods=_methods(pattern)))
    return routes


def id_routes() -> list[Route]:
    return [
        route
        for route in all_routes()
        if any(ID_LIKE.match(name) for name in route.parts) and "format" not in route.parts
    ]


def test_every_id_in_a_url_is_typed_by_its_converter_or_regex():
    untyped = [
        f"{route.template} ({name})"
        for route in all_routes()
        for name, regex in route.parts.items()
        if ID_LIKE.match(name)
        and any(re.fullmatch(regex, bad) for bad in ("abc", "1.5", "-1", "\x00"))
    ]
    assert not untyped, "ids that take any text (use <int:…>, <uuid:…> or a regex):\n" + "\n".join(
        untyped
    )


def test_the_guard_sees_the_routes_that_had_untyped_ids():
    templates = {route.template for route in id_routes()}
    assert any(template.startswith("api/v1/webhooks/") for template in templates)
    assert any(template.startswith("api/v1/analytics/learners/") for template in templates)
    assert len(templates) > 40


@pytest.fixture
def probe_client(admin_user):
    """An admin, so that no policy answers before the lookup does; rows the routes' slugs name."""
    ensure_taxonomy()
    rows = (
        team_create(creator=admin_user, name="Probe"),
        api_create(actor=admin_user, name="Probe", description=""),
        make_article(admin_user, title="Probe"),
    )
    assert {row.slug for row in rows} == {PROBE_SLUG}
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("route", id_routes(), ids=str)
def test_a_malformed_or_impossible_id_is_404_never_500(probe_client, route):
    answers = {}
    for value in (*MALFORMED_IDS, OUT_OF_RANGE_ID):
        url = route.url(id_value=value)
        for method in route.methods:
            response = probe_client.generic(method, url, "{}", content_type="application/json")
            answers[(value, method)] = response.status_code
    server_errors = {key: status for key, status in answers.items() if status >= 500}
    assert not server_errors, server_errors
    malformed = {
        key: status
        for key, status in answers.items()
        if key[0] != OUT_OF_RANGE_ID and status != 404
    }
    assert not malformed, malformed
    out_of_range = [status for (value, _), status in answers.items() if value == OUT_OF_RANGE_ID]
    # An id no row can have is looked up, and not found, by the methods the route takes.
    assert 404 in out_of_range, answers
    assert set(out_of_range) <= {404, 405}, answers


def slug_routes() -> list[Route]:
    return [
        route
        for route in all_routes()
        if any(name.endswith("slug") for name in route.parts) and "format" not in route.parts
    ]


@pytest.mark.parametrize("route", slug_routes(), ids=str)
def test_a_nul_byte_in_a_slug_is_404_not_handed_to_the_database(probe_client, route):
    # PostgreSQL cannot take a NUL byte in text: a lookup that gets one fails with a 500.
    url = route.url(slug="pro%00be")
    for method in route.methods:
        assert probe_client.generic(method, url).status_code == 404, (method, url)
