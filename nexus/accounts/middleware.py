from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from nexus.accounts.login_limits import refusal_of


class LoginRefusalMiddleware:
    """Answers a request whose password check the limiter refused with its status and Retry-After.

    The page or API view explains the refusal in its own body (the login forms show the message
    next to their fields); this gives every front door, Django's admin login included, the same
    429 (or 503 when the limiter cannot count) and the moment to come back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        refusal = refusal_of(request)
        if refusal is not None:
            response.status_code = refusal.status
            response["Retry-After"] = str(refusal.retry_after)
        return response
