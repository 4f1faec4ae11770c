"""Conditional requests, one rule for every editable resource (RFC 9110 §8.8.3, §13).

A resource's ETag is strong and opaque: a short hash of its `etag_parts()`, the version (or last
save) and the counters its representation shows, so it changes whenever that representation can.
Reads answer 304 to an If-None-Match naming it. REST writes to an editable resource must send the
ETag they read in If-Match: none is a 428, a stale one a 412 carrying the current ETag. Services
check the If-Match under their row lock, so nothing can change between the check and the write
(articles check it in the view; the version compare-and-set of article_update closes the gap).
"""

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from django.http import HttpRequest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.response import Response

# An entity-tag, optionally weak: W/"opaque". A comma may sit inside the quotes, so lists are
# read tag by tag rather than split on commas.
_ENTITY_TAG = re.compile(r'(?:W/)?"([^"]*)"')


class Versioned(Protocol):
    """A resource that says what its ETag is made of (a model method next to its fields)."""

    def etag_parts(self) -> tuple[object, ...]: ...


class PreconditionFailed(Exception):
    """The If-Match names a representation that is no longer the current one (412)."""

    detail = (
        "The resource changed since you read it: fetch it again, reapply your change and send "
        "the new ETag in If-Match."
    )

    def __init__(self, *, current_etag: str) -> None:
        super().__init__(self.detail)
        self.current_etag = current_etag


class PreconditionRequired(Exception):
    """A write to an editable resource came without If-Match (428)."""

    detail = (
        "Send If-Match with the ETag you read (GET the resource first), so that a change made "
        "meanwhile is not overwritten."
    )

    def __init__(self) -> None:
        super().__init__(self.detail)


def etag_for(resource: Versioned) -> str:
    """The strong ETag of a resource's current representation: quoted, opaque, short."""
    text = "\x1f".join(_part_text(part) for part in resource.etag_parts())
    return f'"{hashlib.blake2b(text.encode(), digest_size=10).hexdigest()}"'


def _part_text(part: object) -> str:
    # A fresh read and an object just saved hold the same moment in different time zones.
    if isinstance(part, datetime):
        return part.astimezone(UTC).isoformat()
    return "" if part is None else str(part)


def _names(header: str, etag: str) -> bool:
    """Whether an If-Match / If-None-Match header names `etag`, the resource's strong tag."""
    if header.strip() == "*":
        return True
    opaque = etag.strip('"')
    return any(match[1] == opaque for match in _ENTITY_TAG.finditer(header))


def if_none_match_hits(header: str, etag: str) -> bool:
    """If-None-Match compares weakly (RFC 9110 §13.1.2): W/"x" names our "x" too."""
    return _names(header, etag)


def if_match_holds(header: str, etag: str) -> bool:
    """If-Match compares strongly (RFC 9110 §13.1.1), with one exception: a W/ copy of our own
    strong tag holds, because nginx's gzip module weakens the ETag of every body it compresses
    and a client behind it has only ever seen W/"x". Our tags are never weak, so this is the
    same test as the weak comparison."""
    return _names(header, etag)


def if_match(request: HttpRequest) -> str:
    """The If-Match of a REST write to an editable resource; PreconditionRequired without one."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired
    return header


def check_if_match(expected: str | None, resource: Versioned) -> None:
    """Refuse (PreconditionFailed) a write whose If-Match does not name the resource as it is
    now; None means the caller has no precondition (web forms, GraphQL, imports)."""
    if expected is None:
        return
    current = etag_for(resource)
    if not if_match_holds(expected, current):
        raise PreconditionFailed(current_etag=current)


def with_etag(response: Response, resource: Versioned) -> Response:
    """The response with the resource's ETag, for a later If-Match or If-None-Match."""
    response["ETag"] = etag_for(resource)
    return response


def read_response(request: HttpRequest, resource: Versioned, render: Callable[[], Any]) -> Response:
    """A GET of one resource: 304 without a body while If-None-Match names its ETag, else the
    rendered representation; both carry the ETag."""
    etag = etag_for(resource)
    header = request.headers.get("If-None-Match", "")
    if header and request.method in ("GET", "HEAD") and if_none_match_hits(header, etag):
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    else:
        response = Response(render())
    response["ETag"] = etag
    return response


IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "minLength": 1},  # an empty If-Match is none: 428
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag you read. Missing: 428; stale: 412, with the current ETag.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="An ETag you hold: 304 without a body while it is still the current one.",
)
PRECONDITION_RESPONSES = {
    412: OpenApiResponse(description="application/problem+json: the If-Match is stale."),
    428: OpenApiResponse(description="application/problem+json: If-Match is missing."),
}
NOT_MODIFIED_RESPONSE = {304: OpenApiResponse(description="Not modified: no body, the ETag.")}
