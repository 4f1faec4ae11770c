"""The id of the request being served, for logs and error bodies."""

from contextvars import ContextVar
from typing import Any

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


def clear_request_id(**kwargs: Any) -> None:
    """Forget the id once the response is finished (connected to request_finished)."""
    request_id_var.set("-")


def current_request_id() -> str:
    """The id of the request this thread is serving, or '-' outside a request."""
    return request_id_var.get()
