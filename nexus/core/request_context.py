"""The id of the request being served, for logs and error bodies."""

from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


def current_request_id() -> str:
    """The id of the request this thread is serving, or '-' outside a request."""
    return request_id_var.get()
