"""Recording the Content-Security-Policy violations browsers report."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import Resolver404, resolve

from nexus.core import clock
from nexus.csp.models import (
    BLOCKED_MAX_LENGTH,
    PAGE_ROUTE_MAX_LENGTH,
    SAMPLE_MAX_LENGTH,
    URI_MAX_LENGTH,
    Disposition,
    Violation,
)

logger = logging.getLogger(__name__)

# The page_route of a violation on a path no URL pattern matches (our 404 page).
UNMATCHED_ROUTE = "(no matching URL pattern)"


@dataclass(frozen=True)
class ReportedViolation:
    """A violation as a browser reported it, whichever report format it came in."""

    document_uri: str
    directive: str
    blocked_uri: str = ""
    disposition: str = Disposition.ENFORCE
    source_file: str = ""
    line_number: int | None = None
    sample: str = ""


def violations_record(*, reports: Sequence[ReportedViolation], site_host: str) -> int:
    """Count each reported violation on the row of its kind; returns how many were counted.

    Anyone may post reports, so a report about a page of another site is ignored, and a kind not
    seen before gets a row only while the table holds fewer than NEXUS_CSP_MAX_VIOLATIONS.
    """
    counted = 0
    with transaction.atomic():
        for report in reports:
            page = _our_page(report.document_uri, site_host)
            if page is not None:
                counted += _count(report, *page)
    return counted


def _our_page(document_uri: str, site_host: str) -> tuple[str, str] | None:
    """The URL pattern and path of one of our pages, or None for any other document."""
    parts = urlsplit(document_uri)
    if parts.scheme not in {"http", "https"} or parts.netloc.lower() != site_host.lower():
        return None
    path = unquote(parts.path) or "/"
    try:
        route = "/" + resolve(path).route
    except Resolver404:
        route = UNMATCHED_ROUTE
    return route[:PAGE_ROUTE_MAX_LENGTH], path[:URI_MAX_LENGTH]


def _count(report: ReportedViolation, page_route: str, page_path: str) -> int:
    kind = {
        "page_route": page_route,
        "directive": report.directive,
        "blocked_uri": _origin_or_keyword(report.blocked_uri),
        "disposition": report.disposition,
    }
    now = clock.now()
    latest = {
        "page_path": page_path,
        "source_file": _without_query(report.source_file)[:URI_MAX_LENGTH],
        "line_number": report.line_number,
        "sample": report.sample[:SAMPLE_MAX_LENGTH],
        "last_seen_at": now,
        "updated_at": now,
    }
    if Violation.objects.filter(**kind).update(count=F("count") + 1, **latest):
        return 1
    if Violation.objects.count() >= settings.NEXUS_CSP_MAX_VIOLATIONS:
        logger.warning(
            "CSP violation not recorded, the table is full (%s rows): %s blocked %s on %s",
            settings.NEXUS_CSP_MAX_VIOLATIONS,
            kind["directive"],
            kind["blocked_uri"],
            page_route,
        )
        return 0
    try:
        with transaction.atomic():
            Violation.objects.create(**kind, **latest)
    except IntegrityError:  # a concurrent report of the same kind added the row first
        Violation.objects.filter(**kind).update(count=F("count") + 1, **latest)
    return 1


def _origin_or_keyword(blocked_uri: str) -> str:
    """What was blocked, without the path and query that would make every report a new kind."""
    parts = urlsplit(blocked_uri)
    if parts.scheme and parts.netloc:
        return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}".lower()[:BLOCKED_MAX_LENGTH]
    # "inline", "eval", "wasm-eval", or a scheme alone: "data", "blob".
    return (parts.scheme or blocked_uri)[:BLOCKED_MAX_LENGTH]


def _without_query(uri: str) -> str:
    return urlsplit(uri)._replace(query="", fragment="").geturl()
