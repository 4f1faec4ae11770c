"""The machinery of the permission matrix: what exists, how a cell is asked, how an answer reads.

`permissions/` is the table; this module finds every REST route (method by method), GraphQL
field and web page, asks one cell (one row, one role) through the real test client in a
savepoint that is rolled back, and says where the answer differs from the table.
"""

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import connection, transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from rest_framework.test import APIClient

from nexus.accounts.jwt import refresh_token_for
from nexus.graphql import schema
from tests.security.world import World

ALLOW, DENY = "allow", "deny"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_TOKEN = "matrixcsrftokenmatrixcsrftoken12"  # 32 letters and digits: a valid unmasked secret
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
# Typed errors that refuse: what one may not do, or may not see (which does not exist).
REFUSAL_CODES = frozenset({"permission_denied", "not_found", "forbidden"})
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")

type Body = dict[str, Any] | Callable[[World], dict[str, Any]] | None


@dataclass(frozen=True)
class Rule:
    """Who may do one thing: a REST route and method, a GraphQL field, or a web page and method.

    `allow` are the roles that may; every other role must be refused. With `marker`, the answer
    is a list: the roles in `sees` may find the marker word in it, the others must not.
    """

    door: str  # "rest", "graphql" or "web"
    method: str  # an HTTP method; for GraphQL "query" or "mutation"
    name: str  # a URL name (or, for an unnamed route, its pattern), or a GraphQL field
    allow: frozenset[str]
    on: str | None = None  # the subject in World.subjects whose values fill the URL
    body: Body = None
    query: Body = None  # the query string
    headers: dict[str, str] | None = None
    marker: str | None = None
    sees: frozenset[str] = frozenset()
    # Whether an allowed write stores something; for a write that has nothing to store for some
    # roles (mark all read, with nothing unread), the roles that do store.
    writes: bool | frozenset[str] = True
    document: str = ""  # GraphQL
    variables: Body = None  # GraphQL
    multipart: bool = False  # REST: send the body as multipart/form-data
    # A refusal that is a 400 naming this field: a team one does not belong to is answered like
    # an unknown one.
    refused_field: str | None = None
    # REST writes: who sends If-Match (the allowed roles unless said). Refused roles send none:
    # the refusal must come before the precondition check. A role that may edit the resource,
    # but not make this change, meets the precondition check first.
    if_match_for: frozenset[str] | None = None
    # An allowed answer that sends the browser to this URL name exactly (logging out everywhere
    # ends on the login page, with no `next`, where a refusal would carry one).
    allowed_redirect: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """What the row classifies: for a page, its name (the guard wants one row per page)."""
        return (self.door, "" if self.door == "web" else self.method, self.name)

    def label(self) -> str:
        where = f" on {self.on}" if self.on else ""
        return f"{self.door} {self.method} {self.name}{where}"


@dataclass(frozen=True)
class Route:
    pattern: str
    kwargs: tuple[str, ...]  # what its URL needs


# --- What exists -------------------------------------------------------------------------------


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = "", kwargs: tuple[str, ...] = ()
) -> Iterator[tuple[str, str, URLPattern, tuple[str, ...]]]:
    for entry in patterns:
        names = kwargs + _pattern_kwargs(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner, names)
        else:
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield prefix + str(entry.pattern), name, entry, names


def _pattern_kwargs(pattern: Any) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    return tuple(name for name in pattern.regex.groupindex if name != "format")


def _view_methods(entry: URLPattern) -> list[str]:
    actions = getattr(entry.callback, "actions", None)
    if actions:
        # DRF's router lets HEAD through wherever GET is: it answers as GET does.
        return sorted(method.upper() for method in actions if method != "head")
    view = getattr(entry.callback, "cls", None) or getattr(entry.callback, "view_class", None)
    handlers = ("get", "post", "put", "patch", "delete")
    return sorted(method.upper() for method in handlers if hasattr(view, method))


@cache
def rest_routes() -> dict[tuple[str, str, str], Route]:
    """Every REST route under /api/v1/, once per method its view answers (format suffixes are
    the same routes)."""
    found: dict[tuple[str, str, str], Route] = {}
    for pattern, name, entry, kwargs in _walk(get_resolver().url_patterns):
        if pattern.startswith("api/v1/"):
            for method in _view_methods(entry):
                found.setdefault(("rest", method, name), Route(pattern, kwargs))
    return found


@cache
def web_pages() -> dict[tuple[str, str, str], Route]:
    """Every page outside /api/v1/ by URL name (by its pattern when it has none). The admin
    site is Django's own, behind its staff check: its index stands for it."""
    found: dict[tuple[str, str, str], Route] = {}
    for pattern, name, _entry, kwargs in _walk(get_resolver().url_patterns):
        if pattern.startswith("api/v1/"):
            continue
        if pattern.startswith("admin/") and name != "admin:index":
            continue
        found[("web", "", name or pattern)] = Route(pattern, kwargs)
    return found


def graphql_fields() -> set[tuple[str, str, str]]:
    """Every query field and mutation of the root schema."""
    graphql_schema = schema._schema
    roots = (("query", graphql_schema.query_type), ("mutation", graphql_schema.mutation_type))
    return {
        ("graphql", kind, name) for kind, root in roots if root is not None for name in root.fields
    }


@cache
def _routes() -> dict[tuple[str, str, str], Route]:
    return rest_routes() | web_pages()


def everything() -> set[tuple[str, str, str]]:
    return set(_routes()) | graphql_fields()


# --- Asking ------------------------------------------------------------------------------------


@dataclass
class Answer:
    outcome: str  # ALLOW, DENY, or what else came back
    rows_written: int
    content: str


def rows_written() -> int:
    """Rows inserted, updated or deleted so far in this transaction, rolled-back ones included:
    the counter only grows."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                "FROM pg_stat_xact_user_tables"
            )
        else:
            cursor.execute("SELECT total_changes()")
        return int(cursor.fetchone()[0])


class Asker:
    """Asks cells as the five roles: a JWT for REST and GraphQL, a session (with its CSRF
    cookie) for pages, each made once for the world."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.bearer: dict[str, str] = {}
        self.sessions: dict[str, str] = {}
        for role, user in world.users.items():
            self.bearer[role] = f"Bearer {refresh_token_for(user).access_token}"
            client = Client()
            client.force_login(user)
            self.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.counter = rows_written()

    def ask(self, rule: Rule, role: str) -> Answer:
        """One cell, in a savepoint rolled back after it: the next cell finds the same world."""
        django_cache.clear()  # throttles and cached pages never carry over from another cell
        with transaction.atomic():
            response = self._send(rule, role)
            before, self.counter = self.counter, rows_written()
            transaction.set_rollback(True)
        content = response.content.decode(errors="replace") if hasattr(response, "content") else ""
        return Answer(_outcome(rule, response, content), self.counter - before, content)

    def _send(self, rule: Rule, role: str) -> HttpResponseBase:
        if rule.door == "graphql":
            return self._graphql(rule, role)
        path = self.url_for(rule)
        body = _value(rule.body, self.world)
        headers = dict(rule.headers or {})
        if rule.door == "rest":
            editors = rule.allow if rule.if_match_for is None else rule.if_match_for
            if rule.method in WRITES and role in editors:
                headers["If-Match"] = "*"
            if role in self.bearer:
                headers["Authorization"] = self.bearer[role]
            send = getattr(APIClient(raise_request_exception=False), rule.method.lower())
            return send(
                path,
                body or None,
                format="multipart" if rule.multipart else "json",
                headers=headers,
            )
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        client.cookies["csrftoken"] = CSRF_TOKEN
        if role in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        if rule.method == "POST" and "Content-Type" in headers:  # what browsers post by themselves
            content_type = headers.pop("Content-Type")
            return client.post(path, json.dumps(body), content_type=content_type, headers=headers)
        if rule.method == "POST":
            headers["X-CSRFToken"] = CSRF_TOKEN
            return client.post(path, {"csrfmiddlewaretoken": CSRF_TOKEN, **body}, headers=headers)
        return client.generic(rule.method, path, headers=headers)

    def _graphql(self, rule: Rule, role: str) -> HttpResponseBase:
        headers = {"Authorization": self.bearer[role]} if role in self.bearer else {}
        return Client(raise_request_exception=False).post(
            "/graphql/",
            {"query": rule.document, "variables": _value(rule.variables, self.world)},
            content_type="application/json",
            headers=headers,
        )

    def url_for(self, rule: Rule) -> str:
        route = _routes()[rule.key]
        values = self.world.subjects.get(rule.on, {}) if rule.on else {}
        missing = [name for name in route.kwargs if name not in values]
        assert not missing, f"{rule.label()}: its subject gives no {missing}"
        # A value may be a function of the world: a token made now, after the logins.
        kwargs = {
            name: values[name](self.world) if callable(values[name]) else values[name]
            for name in route.kwargs
        }
        if route.pattern == rule.name:  # an unnamed route: fill its converters in
            path = "/" + _CONVERTER.sub(lambda match: str(kwargs[match[1]]), route.pattern)
        else:
            path = reverse(rule.name, kwargs=kwargs)
        if rule.query:
            path += "?" + urlencode(_value(rule.query, self.world))
        return path


def _value(value: Body, world: World) -> dict[str, Any]:
    return value(world) if callable(value) else dict(value or {})


# --- Reading answers ---------------------------------------------------------------------------


def _outcome(rule: Rule, response: HttpResponseBase, content: str) -> str:
    if rule.door == "graphql" and response.status_code == 200:
        return _graphql_outcome(rule, response.json())  # type: ignore[attr-defined]
    status = response.status_code
    if status in (401, 403, 404):
        return DENY
    if status in (301, 302, 303, 307, 308):
        if rule.allowed_redirect and response.get("Location") == reverse(rule.allowed_redirect):
            return ALLOW
        return DENY if response.get("Location", "").startswith(LOGIN_PATHS) else ALLOW
    if 200 <= status < 300:
        return ALLOW
    refused_field = f'"field":"{rule.refused_field}"'
    if status == 400 and rule.refused_field and refused_field in content.replace(" ", ""):
        return DENY
    return f"status {status} ({content[:300]})"


def _graphql_outcome(rule: Rule, body: dict[str, Any]) -> str:
    errors = body.get("errors") or []
    if errors:
        messages = [error.get("message", "") for error in errors]
        if any("not authenticated" in message for message in messages):
            return DENY
        return f"GraphQL errors: {messages}"
    data = (body.get("data") or {}).get(rule.name)
    if data is None or data is False:  # null, or unfollow's "no such follow of yours"
        return DENY
    if isinstance(data, dict) and data.get("errors"):
        codes = {error.get("code") for error in data["errors"]}
        return DENY if codes <= REFUSAL_CODES else f"typed errors: {data['errors']}"
    return ALLOW


def mismatch(rule: Rule, role: str, answer: Answer, world: World) -> str | None:
    """Why the answer is not what the table says, or None when it is."""
    expected = ALLOW if role in rule.allow else DENY
    where = f"{rule.label()} as {role}"
    if answer.outcome != expected:
        return f"{where}: expected {expected}, got {answer.outcome}"
    if expected == DENY and answer.rows_written:
        return f"{where}: refused, but {answer.rows_written} rows were written"
    is_write = rule.method in WRITES or rule.method == "mutation"
    stores = rule.writes if isinstance(rule.writes, bool) else role in rule.writes
    if expected == ALLOW and is_write and stores and not answer.rows_written:
        return f"{where}: allowed, but nothing was stored (is the body valid?)"
    for secret, seers in world.secrets.items():
        if secret in answer.content and role not in seers:
            return f"{where}: the answer shows a secret of the owner's ({secret[:12]}…)"
    if rule.marker is not None and expected == ALLOW:
        shown = rule.marker in answer.content
        if shown != (role in rule.sees):
            return f"{where}: the answer {'shows' if shown else 'does not show'} {rule.marker}"
    return None
