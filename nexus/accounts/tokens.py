"""Password-reset links that expire after PASSWORD_RESET_TIMEOUT seconds of real time."""

from datetime import datetime

from django.contrib.auth.tokens import PasswordResetTokenGenerator

from nexus.core import clock


class PasswordResetTokens(PasswordResetTokenGenerator):
    """Django's generator counts seconds on the naive local clock of TIME_ZONE, so a link made
    the evening before clocks fall back lives an hour longer; this one counts in UTC."""

    def _now(self) -> datetime:
        return clock.now().replace(tzinfo=None)


password_reset_tokens = PasswordResetTokens()
