"""The id and client address of the request being served, for logs and error bodies."""

from contextvars import ContextVar
from typing import Any

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
client_address_var: ContextVar[str] = ContextVar("client_address", default="-")


def clear_request_context(**kwargs: Any) -> None:
    """Forget the request's id and address once the response is finished (on request_finished)."""
    request_id_var.set("-")
    client_address_var.set("-")


def current_request_id() -> str:
    """The id of the request this thread is serving, or '-' outside a request."""
    return request_id_var.get()


def current_client_address() -> str:
    """The client address of the request this thread is serving, or '-' outside a request."""
    return client_address_var.get()
