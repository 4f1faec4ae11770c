"""Which site pages a stored body links to, by URL path (for "may be outdated" flags)."""

import re
from collections.abc import Iterable
from html import unescape
from urllib.parse import urlsplit

from django.db.models import Q

_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_MARKDOWN_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)")


def normalise_path(url: str) -> str:
    """The path of a relative or absolute link, with one trailing slash ("" if not a web link)."""
    parts = urlsplit(unescape(url.strip()))
    if parts.scheme not in ("", "http", "https") or not parts.path.startswith("/"):
        return ""
    return parts.path.rstrip("/") + "/"


def linked_paths(*texts: str) -> set[str]:
    """Paths of every link in rendered HTML (`href`) and in Markdown (`[text](url)`)."""
    found: set[str] = set()
    for text in texts:
        for match in (*_HREF.findall(text or ""), *_MARKDOWN_LINK.findall(text or "")):
            if path := normalise_path(match):
                found.add(path)
    return found


def contains_any(field: str, paths: Iterable[str]) -> Q:
    """A cheap pre-filter: the field mentions one of the paths (confirm with `linked_paths`)."""
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{field}__contains": path.rstrip("/")})
    return query


def breaking_paths(payload: dict[str, object]) -> dict[str, str]:
    """Operation page path -> operation key, from an `api.version_created` event's payload."""
    paths: dict[str, str] = {}
    operations = payload.get("breaking_operations") or []
    for item in operations if isinstance(operations, list) else []:
        if not isinstance(item, dict):
            continue
        for url in item.get("urls") or []:
            if path := normalise_path(str(url)):
                paths[path] = str(item.get("key") or "")
    return paths


def breaking_reason(change: str, keys: list[str]) -> str:
    """A short "API x vN broke GET /a, POST /b" text for the flag and the author's notification."""
    unique = sorted(set(keys))
    shown = ", ".join(unique[:3]) + (" and more" if len(unique) > 3 else "")
    return f"{change} broke {shown}"[:300]
