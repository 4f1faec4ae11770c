from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework_simplejwt import authentication as jwt_authentication
from rest_framework_simplejwt.tokens import Token

from nexus.accounts.jwt import REVOKED, user_of_token
from nexus.accounts.models import ApiToken, User
from nexus.accounts.services import api_token_mark_used, hash_api_key


class JWTAuthentication(jwt_authentication.JWTAuthentication):
    """`Authorization: Bearer <access JWT>`, refused once the account's credentials have changed."""

    # simplejwt annotates the result as a TypeVar that no argument binds.
    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]
        user = user_of_token(validated_token)
        if user is None:
            raise exceptions.AuthenticationFailed(REVOKED, code="token_not_valid")
        return user


class JWTScheme(SimpleJWTScheme):
    target_class = "nexus.accounts.authentication.JWTAuthentication"


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
