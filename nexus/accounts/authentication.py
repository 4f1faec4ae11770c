from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from nexus.accounts.models import ApiToken, User
from nexus.accounts.services import api_token_mark_used, hash_api_key


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token nxs_...` with a personal API token."""

    keyword = "Token"

    def authenticate(self, request: Any) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("The Token header takes exactly one key.")
        key = header[1].decode(errors="replace")
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_api_key(key)).first()
        if token is None or not token.is_usable or not token.user.is_active:
            raise exceptions.AuthenticationFailed("This API token is invalid, expired or revoked.")
        api_token_mark_used(token=token)
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "nexus.accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal API token: `Token nxs_...`",
        }
