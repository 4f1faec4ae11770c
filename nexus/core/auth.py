"""Who is making a request, for the front doors of every app."""

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    # Core imports no feature app at run time; the configured user model is read from settings.
    from nexus.accounts.models import User


def authenticated_user(request: Any) -> "User":
    """The signed-in user of a request that an authentication check has already let through."""
    user = request.user
    if not isinstance(user, get_user_model()):
        raise PermissionDenied
    return user
