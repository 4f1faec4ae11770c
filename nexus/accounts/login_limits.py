"""One limiter for every way to present a password: the web and admin logins and the JWT endpoint
(through LimitedModelBackend), the current password of a password change, a sign-up's
confirmation (through verify_password).

Failures are counted per account - the e-mail as typed, whether or not anyone has it, so a
lock-out says nothing about who has an account - and per client address. A counter that reaches
its limit locks its key until the cool-off ends; a locked key is refused before any password is
looked at. Counting is atomic in the cache (add, then incr: one Redis command each), so parallel
guesses cannot slip past the limit. A lock stores the moment it ends, read through
nexus.core.clock, so Retry-After is exact and tests move time with the suite's clock.

When the cache cannot be reached nobody is let in: failing open would let an attacker switch the
limiter off by overloading Redis.
"""

import hashlib
import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from redis.exceptions import RedisError
from rest_framework.request import Request

from nexus.accounts.models import User
from nexus.core import clock

log = logging.getLogger(__name__)

# What an unreachable cache raises: Django's Redis backend lets redis-py's errors through.
CACHE_ERRORS = (RedisError, OSError)
UNAVAILABLE_RETRY_SECONDS = 30
REFUSAL_ATTRIBUTE = "login_refusal"


class LoginRefused(PermissionDenied):
    """A password check refused before the password was looked at."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class TooManyFailures(LoginRefused):
    """The account or the address has failed too often; it may try again after Retry-After."""


class LimiterUnavailable(LoginRefused):
    """The failure counters cannot be read, so no password is checked."""

    status = 503
    code = "login_unavailable"


@dataclass(frozen=True)
class Attempt:
    """Someone presenting a password for an account, from a client address (None off a request)."""

    account: str
    address: str | None

    def counters(self) -> list[tuple[str, int]]:
        """The cache keys this attempt counts against, each with its limit."""
        account = User.objects.normalize_email(self.account)
        keys = [
            (
                "login-failures:account:" + hashlib.sha256(account.encode()).hexdigest(),
                settings.NEXUS_LOGIN_FAILURES_PER_ACCOUNT,
            )
        ]
        if self.address:
            keys.append(
                (
                    f"login-failures:address:{self.address}",
                    settings.NEXUS_LOGIN_FAILURES_PER_ADDRESS,
                )
            )
        return keys


def ensure_allowed(attempt: Attempt) -> None:
    """Refuse the attempt while its account or its address is locked out."""
    with _cache_reachable():
        locks = cache.get_many([_lock_key(key) for key, _ in attempt.counters()])
    now = clock.now().timestamp()
    ends = [until for until in locks.values() if until > now]
    if ends:
        retry_after = math.ceil(max(ends) - now)
        log.info(
            "login refused while locked out for %ss (address %s)", retry_after, attempt.address
        )
        raise TooManyFailures(_locked_message(retry_after), retry_after=retry_after)


def record_failure(attempt: Attempt) -> None:
    """Count a wrong password; a counter that reaches its limit locks its key for the cool-off."""
    cool_off = settings.NEXUS_LOGIN_COOL_OFF_SECONDS
    with _cache_reachable():
        for key, limit in attempt.counters():
            if _count(key, cool_off) >= limit:
                # After the lock, the key starts counting afresh.
                cache.set(_lock_key(key), clock.now().timestamp() + cool_off, timeout=cool_off)
                cache.delete(key)
                log.warning(
                    "login locked out for %ss: %s (address %s)", cool_off, key, attempt.address
                )


def record_success(attempt: Attempt) -> None:
    """Forget the account's failures. The address's stay: logging in to an account of one's own
    must not buy more guesses at others."""
    account_key, _ = attempt.counters()[0]
    with _cache_reachable():
        cache.delete(account_key)


def verify_password(*, user: User, password: str, address: str | None) -> bool:
    """Check a password someone presents for an account, limited and counted like a login."""
    attempt = Attempt(account=user.email, address=address)
    ensure_allowed(attempt)
    if user.check_password(password):
        record_success(attempt)
        return True
    record_failure(attempt)
    return False


def remember_refusal(request: HttpRequest | Request, refusal: LoginRefused) -> None:
    """Leave a refusal on the request for its front door to explain (see refusal_of)."""
    # On the Django request under a DRF one, where LoginRefusalMiddleware will find it too.
    setattr(getattr(request, "_request", request), REFUSAL_ATTRIBUTE, refusal)


def refusal_of(request: HttpRequest | Request) -> LoginRefused | None:
    """The refusal a password check of this request met, if any."""
    refusal = getattr(getattr(request, "_request", request), REFUSAL_ATTRIBUTE, None)
    return refusal if isinstance(refusal, LoginRefused) else None


def _count(key: str, cool_off: int) -> int:
    if cache.add(key, 1, timeout=cool_off):
        return 1
    try:
        failures = int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=cool_off)
        return 1
    # Counters forget a cool-off after their last failure.
    cache.touch(key, timeout=cool_off)
    return failures


def _lock_key(key: str) -> str:
    return key.replace("login-failures:", "login-lock:", 1)


def _locked_message(retry_after: int) -> str:
    minutes = math.ceil(retry_after / 60)
    wait = f"{minutes} minutes" if minutes > 1 else "a minute"
    return f"Too many failed attempts to sign in. Wait {wait} before trying again."


@contextmanager
def _cache_reachable() -> Iterator[None]:
    try:
        yield
    except CACHE_ERRORS as exc:
        log.error("login limiter cannot reach the cache, refusing password checks: %s", exc)
        raise LimiterUnavailable(
            "Signing in is unavailable for a moment. Try again shortly.",
            retry_after=UNAVAILABLE_RETRY_SECONDS,
        ) from exc
