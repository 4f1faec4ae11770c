"""JWTs that die with the credentials they were issued for.

Every token carries the account's credentials fingerprint (User.credentials_fingerprint), which
changes whenever a session would end: a new password by any path, logging out everywhere,
deactivation. Access tokens are checked on every request (JWTAuthentication), refresh tokens
when they are used, so a revoked access token stops working at once rather than when it expires.

A refresh token is good once: the refresh that blacklists it hands out the next one, and a second
use of the same token - a replay, or a race between two clients - is refused.
"""

from typing import Any, cast

from django.db import transaction
from drf_spectacular.contrib.rest_framework_simplejwt import (
    TokenObtainPairSerializerExtension,
    TokenRefreshSerializerExtension,
    TokenVerifySerializerExtension,
)
from rest_framework_simplejwt import serializers
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken, Token, UntypedToken

from nexus.accounts.models import User

CREDENTIALS_CLAIM = "credentials"
REVOKED = "This token was revoked: log in again."


def refresh_token_for(user: User) -> RefreshToken:
    """A refresh token for a user, its access token at `.access_token`: the only way to mint one
    (a token without the credentials claim is refused)."""
    token = RefreshToken.for_user(user)
    token[CREDENTIALS_CLAIM] = user.credentials_fingerprint()
    return token


def user_of_token(token: Token) -> User | None:
    """The active user a token was issued to, if its credentials are still the same."""
    user = User.objects.filter(pk=token.get(api_settings.USER_ID_CLAIM), is_active=True).first()
    if user is None or token.get(CREDENTIALS_CLAIM) != user.credentials_fingerprint():
        return None
    return user


class TokenObtainPairSerializer(serializers.TokenObtainPairSerializer):
    @classmethod
    def get_token(cls, user: Any) -> Token:
        return refresh_token_for(user)


class TokenRefreshSerializer(serializers.TokenRefreshSerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        # Checks the signature, the expiry and the blacklist.
        refresh = RefreshToken(attrs["refresh"])
        if user_of_token(refresh) is None:
            raise InvalidToken(REVOKED)
        with transaction.atomic():
            # Only the request that blacklists the token may rotate it.
            # blacklist() answers get_or_create's pair, whatever its annotation says.
            _, first_use = cast(tuple[BlacklistedToken, bool], refresh.blacklist())
            if not first_use:
                raise InvalidToken("Token is blacklisted")
            refresh.set_jti()
            refresh.set_exp()
            refresh.set_iat()
            refresh.outstand()
        return {"access": str(refresh.access_token), "refresh": str(refresh)}


class TokenVerifySerializer(serializers.TokenVerifySerializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        super().validate(attrs)
        if user_of_token(UntypedToken(attrs["token"])) is None:
            raise InvalidToken(REVOKED)
        return {}


# The OpenAPI schema describes these as drf-spectacular describes simplejwt's own serializers.
class TokenObtainPairSchema(TokenObtainPairSerializerExtension):
    target_class = "nexus.accounts.jwt.TokenObtainPairSerializer"


class TokenRefreshSchema(TokenRefreshSerializerExtension):
    target_class = "nexus.accounts.jwt.TokenRefreshSerializer"


class TokenVerifySchema(TokenVerifySerializerExtension):
    target_class = "nexus.accounts.jwt.TokenVerifySerializer"
