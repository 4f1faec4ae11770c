"""Who is making a request, for the front doors of every app."""

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    # Core imports no feature app at run time; the configured user model is read from settings.
    from nexus.accounts.models import User


def authenticated_user(request: HttpRequest | Request) -> "User":
    """The signed-in user of a request that an authentication check has already let through."""
    user = request.user
    if not isinstance(user, get_user_model()):
        raise PermissionDenied
    return user
