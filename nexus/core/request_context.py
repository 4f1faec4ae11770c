"""The id, client address and user of the request being served, for logs and error bodies."""

from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest
from django.utils.functional import empty

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
client_address_var: ContextVar[str] = ContextVar("client_address", default="-")
request_var: ContextVar[HttpRequest | None] = ContextVar("request", default=None)


def clear_request_context(**kwargs: Any) -> None:
    """Forget the request's id and address once the response is finished (on request_finished)."""
    request_id_var.set("-")
    client_address_var.set("-")
    request_var.set(None)


def current_request_id() -> str:
    """The id of the request this thread is serving, or '-' outside a request."""
    return request_id_var.get()


def current_client_address() -> str:
    """The client address of the request this thread is serving, or '-' outside a request."""
    return client_address_var.get()


def current_user_id() -> str:
    """The id of the request's user once authentication has named them, or '-'.

    Django's middleware leaves request.user lazy and DRF's authentication replaces it when a view
    runs; a user still lazy is left so, since resolving it would query the database from inside
    a log call."""
    request = request_var.get()
    user = None if request is None else request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return "-"
    return str(user.pk) if user.is_authenticated else "-"
