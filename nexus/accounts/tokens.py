"""Password-reset and sign-up links, expiring after PASSWORD_RESET_TIMEOUT seconds of real time."""

from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator

from nexus.core import clock


class PasswordResetTokens(PasswordResetTokenGenerator):
    """Django's generator counts seconds on the naive local clock of TIME_ZONE, so a link made
    the evening before clocks fall back lives an hour longer; this one counts in UTC."""

    def _now(self) -> datetime:
        return clock.now().replace(tzinfo=None)


password_reset_tokens = PasswordResetTokens()


class SignupConfirmationTokens(PasswordResetTokens):
    """The link that confirms a sign-up's e-mail address. It dies once used (the account is no
    longer pending) and when someone signs up again with the address (the password changes)."""

    key_salt = "nexus.accounts.tokens.SignupConfirmationTokens"

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        pending = getattr(user, "signup_pending", False)
        email = getattr(user, user.get_email_field_name(), "")
        return f"{user.pk}{user.password}{pending}{timestamp}{email}"


signup_tokens = SignupConfirmationTokens()
