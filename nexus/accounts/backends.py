from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from nexus.accounts import login_limits
from nexus.accounts.models import User
from nexus.core.client_address import client_address


class LimitedModelBackend(ModelBackend):
    """Django's e-mail and password check behind the login limiter (nexus/accounts/login_limits.py).

    Every call of django.contrib.auth.authenticate() comes here: the web login, the admin's, the
    JWT endpoint. A refusal is left on the request for the front door to explain, and raised as
    the PermissionDenied that makes Django count it as a failed login.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            # The JWT endpoint names the e-mail by the user model's USERNAME_FIELD.
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = client_address(request) if request is not None else None
        attempt = login_limits.Attempt(account=username, address=address)
        try:
            login_limits.ensure_allowed(attempt)
            user = super().authenticate(request, username=username, password=password)
            if user is None:
                login_limits.record_failure(attempt)
            else:
                login_limits.record_success(attempt)
        except login_limits.LoginRefused as refusal:
            if request is not None:
                login_limits.remember_refusal(request, refusal)
            raise
        return user
