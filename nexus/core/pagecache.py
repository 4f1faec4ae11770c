"""Anonymous pages and lists from Redis, under keys that the writes they show make obsolete.

A view decorated with `public_cache(*groups)` answers a visitor without credentials from the
`best_effort` cache when it can. The key holds the request (scheme, host, path, query, the headers
that choose a representation) and the current version of every group the view reads; a group is an
app whose tables the view shows (`knowledge`, `challenges`, `collab`, `search`, and `people` for
the users' table). Every statement that writes one of a group's tables gives that group a new
version (a database execute wrapper sees them all: saves, `update()`, `bulk_create()`, deletes), as
it runs and once more when its transaction commits, so no page rendered before the commit outlives
it. Old keys are never deleted, they expire.

Only a request without a session, a flash message or an Authorization header is served or stored,
and only a 200 that sets no cookie and is not marked private is stored, so what one visitor sees as
themselves never reaches another. Responses say `Cache-Control: public` with a one-second shared
lifetime (nginx's micro-cache) and no browser lifetime: a browser revalidates with If-None-Match
and gets a 304 from the cache. A page's CSP nonce is stored with it; that is sound because a stored
page cannot change, and any write that could change its content renders a new page with a new
nonce.
"""

import hashlib
import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csp import get_nonce
from django.utils.cache import get_conditional_response, patch_cache_control
from rest_framework.viewsets import ViewSetMixin

# The apps whose tables visitors see, by group. `people` is only the users' table (names shown
# next to what people wrote).
GROUP_APPS = {app: app for app in ("knowledge", "challenges", "collab", "search")}
# Bounty totals are shown on challenge pages and lists: funding's writes refresh those.
GROUP_APPS["funding"] = "challenges"
PEOPLE_TABLE_MODEL = "accounts.User"
GROUPS = frozenset({*GROUP_APPS, "people"})

# Request headers that choose the representation a view renders (DRF's Accept negotiation,
# htmx's partial pages).
VARY_HEADERS = ("Accept", "HX-Request", "HX-Target")
STORED_HEADERS = (
    "Content-Type",
    "Content-Security-Policy",
    "Content-Security-Policy-Report-Only",
    "Reporting-Endpoints",
    "Vary",
    "ETag",
)
KEY_PREFIX = "page"

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_ONLY_LAST_LOGIN = re.compile(
    r'^\s*UPDATE\s+"?\w+"?\s+SET\s+"?last_login"?\s*=\s*(?:%s|NULL)\s+WHERE', re.IGNORECASE
)
_INSERT = re.compile(r"^\s*INSERT\b", re.IGNORECASE)


def _cache() -> Any:
    return caches["best_effort"]


def _version_key(group: str) -> str:
    return f"{KEY_PREFIX}:version:{group}"


def bump(*groups: str) -> None:
    """Give each group a new version: every stored page that read it is obsolete."""
    _cache().set_many({_version_key(group): uuid.uuid4().hex for group in groups}, timeout=None)


def _versions(groups: tuple[str, ...]) -> list[str]:
    cache = _cache()
    keys = [_version_key(group) for group in groups]
    found = cache.get_many(keys)
    missing = {key: uuid.uuid4().hex for key in keys if key not in found}
    if missing:
        # A version Redis lost (evicted, restarted) starts afresh, which obsoletes its pages.
        cache.set_many(missing, timeout=None)
        found.update(missing)
    return [found[key] for key in keys]


# --- Which writes change which group ---------------------------------------------------------


def _tables_by_group() -> dict[str, str]:
    groups = {}
    for model in apps.get_models(include_auto_created=True):
        group = GROUP_APPS.get(model._meta.app_label)
        if group is not None:
            groups[model._meta.db_table] = group
    groups[apps.get_model(PEOPLE_TABLE_MODEL)._meta.db_table] = "people"
    return groups


_table_groups: dict[str, str] = {}


def group_written(sql: str) -> str | None:
    """The group whose table this statement writes, if any."""
    match = _WRITE.match(sql)
    if match is None:
        return None
    if not _table_groups:
        _table_groups.update(_tables_by_group())
    group = _table_groups.get(match[1])
    # A new account is shown nowhere until it writes something (which bumps its own group), and
    # a sign-up must not do more for a free address than for a taken one.
    if group == "people" and (_INSERT.match(sql) or _ONLY_LAST_LOGIN.match(sql)):
        return None
    return group


# How many pages this process has served or stored: a write needs no new version at once while
# no page was looked at since the last one (an import writing thousands of rows bumps once).
_pages_seen = 0


class WriteObserver:
    """A database execute wrapper that bumps the groups whose tables a statement writes: at once,
    and in a transaction once more at commit (a page rendered meanwhile by another connection
    read the rows before the change). Within a transaction, a group is bumped again only if this
    process looked at a page since, and its commit bump is registered once."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        # Group -> _pages_seen when it was last bumped in the current transaction.
        self._bumped: dict[str, int] = {}
        # The commit hooks list our callback joined: Django replaces the list when it runs,
        # discards or filters its hooks, so another list means the callback may be gone.
        self._hooks: list[Any] | None = None

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        result = execute(sql, params, many, context)
        group = group_written(sql) if isinstance(sql, str) else None
        if group is None:
            return result
        connection = self.connection
        if not connection.in_atomic_block:
            bump(group)
            return result
        if self._hooks is not connection.run_on_commit:
            self._bumped = {}
        if self._bumped.get(group) == _pages_seen:
            return result
        bump(group)
        registered = group in self._bumped
        self._bumped[group] = _pages_seen
        if not registered:
            transaction.on_commit(lambda: bump(group), using=connection.alias)
            self._hooks = connection.run_on_commit
        return result


def observe_writes(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """connection_created receiver: watch every new connection's writes."""
    if not any(isinstance(wrapper, WriteObserver) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(WriteObserver(connection))


# --- Serving ----------------------------------------------------------------------------------


def is_shareable_request(request: HttpRequest) -> bool:
    """A request that carries nothing of anyone's own: no session, message or credentials."""
    return (
        request.method in ("GET", "HEAD")
        and "Authorization" not in request.headers
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _is_storable(response: HttpResponseBase) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and isinstance(response, HttpResponse)
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def _page_key(request: HttpRequest, groups: tuple[str, ...]) -> str:
    varying = "\x1f".join(request.headers.get(name, "") for name in VARY_HEADERS)
    # The scheme and host too: absolute links in a page (the API's next/previous) are built
    # from them.
    location = request.build_absolute_uri()
    identity = "\x1e".join([location, varying, *_versions(groups)])
    return f"{KEY_PREFIX}:{hashlib.blake2b(identity.encode(), digest_size=16).hexdigest()}"


def _make_public(response: HttpResponseBase) -> None:
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=settings.NEXUS_SHARED_CACHE_SECONDS,
    )


def _etag(response: HttpResponse) -> str:
    if not response.has_header("ETag"):
        response["ETag"] = f'"{hashlib.blake2b(response.content, digest_size=10).hexdigest()}"'
    return response["ETag"]


def _stored(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    headers = {name: response[name] for name in STORED_HEADERS if response.has_header(name)}
    # The nonce the page's scripts carry, if rendering used one (see the module's docstring).
    nonce = get_nonce(request)
    return {"headers": headers, "content": response.content, "nonce": str(nonce) if nonce else ""}


def _from_stored(request: HttpRequest, stored: dict[str, Any]) -> HttpResponse:
    if stored.get("nonce"):
        # The CSP middleware builds this response's policy from the request's nonce.
        request._csp_nonce = stored["nonce"]  # type: ignore[attr-defined]
    response = HttpResponse(stored["content"])
    for name, value in stored["headers"].items():
        response[name] = value
    response["X-Nexus-Cache"] = "hit"
    return response


def public_cache(*groups: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view decorator: anonymous GETs answered from and stored in the page cache, under the
    versions of the groups the view reads; conditional GETs answered with 304."""
    unknown = set(groups) - GROUPS
    if unknown or not groups:
        raise ValueError(f"public_cache needs groups among {sorted(GROUPS)}, not {unknown}")

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def cached_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not is_shareable_request(request):
                return view(request, *args, **kwargs)
            global _pages_seen
            _pages_seen += 1
            key = _page_key(request, groups)
            stored = _cache().get(key)
            if stored is not None:
                response = _from_stored(request, stored)
            else:
                response = view(request, *args, **kwargs)
                render = getattr(response, "render", None)
                if callable(render) and not getattr(response, "is_rendered", True):
                    response = render()
                if not _is_storable(response):
                    return response
                _etag(response)
                _cache().set(key, _stored(request, response), settings.NEXUS_PAGE_CACHE_SECONDS)
            _make_public(response)
            conditional = get_conditional_response(
                request, etag=response["ETag"], response=response
            )
            return conditional or response

        return cached_view

    return decorate


class PublicReads(ViewSetMixin):
    """A viewset mixin: its list and retrieve routes answer through `public_cache` under the
    groups in `public_cache_groups` (writes on the same routes pass straight through)."""

    public_cache_groups: tuple[str, ...] = ()

    @classmethod
    def as_view(cls, actions: Any = None, **initkwargs: Any) -> Any:
        view = super().as_view(actions, **initkwargs)
        if actions and actions.get("get") in ("list", "retrieve"):
            # wraps() keeps the attributes DRF and the schema generator read (cls, actions).
            return public_cache(*cls.public_cache_groups)(view)
        return view
