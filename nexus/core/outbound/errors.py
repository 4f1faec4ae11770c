"""What can go wrong with an outbound request."""


class OutboundError(Exception):
    """An outbound request failed; the message is fit to show to the user who gave the URL."""


class UnsafeURLError(OutboundError, ValueError):
    """The URL is malformed, uses a refused scheme, or leads to an internal address."""


class ResponseTooLargeError(OutboundError):
    """The response body is larger than the caller's max_bytes."""


class OutboundTimeoutError(OutboundError, TimeoutError):
    """Connecting, reading, or the request as a whole took longer than allowed."""


class OutboundConnectionError(OutboundError):
    """The server could not be reached or spoke broken HTTP/TLS."""


class TooManyRedirectsError(OutboundError):
    """The server kept redirecting past follow_redirects hops."""
