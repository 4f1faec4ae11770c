"""The one client for HTTP requests to user-given URLs (spec imports, webhooks, git checks).

`check_url` parses a URL the way this client will use it, resolves the host and refuses anything
that reaches inside: loopback, private, link-local, metadata, reserved and multicast addresses in
any spelling. `fetch` then connects to exactly the addresses it checked (so DNS rebinding between
check and connect cannot redirect it), caps the body size and the total time, and re-checks every
redirect it is allowed to follow.

URLs with a user name or password are refused: credentials in a URL end up in logs, stored
settings and UI, and "user@host" is the classic way to make a URL look like it goes elsewhere.
Secrets travel in headers (webhook signatures, tokens) instead.
"""

from nexus.core.outbound.addresses import ResolvedURL, check_url
from nexus.core.outbound.client import REDIRECT_STATUSES, USER_AGENT, OutboundResponse, fetch
from nexus.core.outbound.errors import (
    OutboundConnectionError,
    OutboundError,
    OutboundTimeoutError,
    ResponseTooLargeError,
    TooManyRedirectsError,
    UnsafeURLError,
)

__all__ = (
    "REDIRECT_STATUSES",
    "USER_AGENT",
    "OutboundConnectionError",
    "OutboundError",
    "OutboundResponse",
    "OutboundTimeoutError",
    "ResolvedURL",
    "ResponseTooLargeError",
    "TooManyRedirectsError",
    "UnsafeURLError",
    "check_url",
    "fetch",
)
