"""Chapa's API, one request per call: initialize and verify charges, transfers, banks, refunds.

Every failure becomes a `ChapaError` whose `retryable` tells the caller what to do: a timeout, a
refused connection, a 5xx or a body that is not Chapa's JSON envelope may succeed later (callers
retry with backoff; this module never retries), while a 4xx is Chapa refusing the request itself.

CHAPA_BASE_URL is operator configuration, not user input, so it does not go through the outbound
URL guard (in embedded mode and in tests it is the local test server on 127.0.0.1); it must still
be http(s), and https in production unless it is loopback or the key is a test-mode key (compose
runs the test server as a service: a test key over plain HTTP exposes nothing that moves money).
"""

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings

TEST_KEY_PREFIX = "CHASECK_TEST-"  # Chapa's test-mode secret keys; live ones are CHASECK-...
CHAPA_API_HOST = "api.chapa.co"
CHAPA_CHECKOUT_ORIGIN = "https://checkout.chapa.co"
# Chapa refuses a customization title over 16 characters, and any character in the title or the
# description other than letters, digits, spaces and . - _ : the client makes them fit.
TITLE_MAX_LENGTH = 16
NOT_PLAIN = re.compile(r"[^A-Za-z0-9 ._-]+")
SUCCESS = "success"
PENDING = "pending"
FAILED = "failed"


class ChapaError(Exception):
    """Chapa could not do what was asked; `retryable` says whether asking again may help."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retryable = retryable


@dataclass(frozen=True)
class Checkout:
    checkout_url: str


@dataclass(frozen=True)
class Transaction:
    tx_ref: str
    status: str  # "success" | "pending" | "failed"
    amount: Decimal
    currency: str
    charge: Decimal
    reference: str
    email: str
    created_at: dt.datetime | None


@dataclass(frozen=True)
class Transfer:
    reference: str
    status: str  # "success" | "pending" | "failed"
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Bank:
    id: str
    name: str
    is_mobile_money: bool


@dataclass(frozen=True)
class Refund:
    tx_ref: str
    status: str
    amount: Decimal


def chapa_configured() -> bool:
    """True when the secret key, the webhook secret and the base URL are all set."""
    return bool(
        settings.CHAPA_SECRET_KEY and settings.CHAPA_WEBHOOK_SECRET and settings.CHAPA_BASE_URL
    )


def checkout_origins() -> list[str]:
    """Where payers are sent to pay: Chapa's hosted checkout (checkout.chapa.co for Chapa's own
    API), or the base URL's origin for a test server that serves its checkout itself."""
    if not chapa_configured():
        return []
    parts = urlsplit(settings.CHAPA_BASE_URL)
    if parts.hostname == CHAPA_API_HOST:
        return [CHAPA_CHECKOUT_ORIGIN]
    return [f"{parts.scheme}://{parts.netloc}"]


def initialize(
    *,
    tx_ref: str,
    amount: Decimal,
    currency: str,
    email: str,
    first_name: str,
    last_name: str,
    callback_url: str,
    return_url: str,
    title: str,
    description: str,
) -> Checkout:
    """Start a hosted checkout for `amount` and return the page the payer is sent to."""
    body = {
        "amount": _money(amount),
        "currency": currency,
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "tx_ref": tx_ref,
        "callback_url": callback_url,
        "return_url": return_url,
        "customization[title]": _plain(title)[:TITLE_MAX_LENGTH].strip(),
        "customization[description]": _plain(description),
    }
    data = _request("POST", "/v1/transaction/initialize", body)
    checkout_url = data.get("checkout_url") if isinstance(data, dict) else None
    if not isinstance(checkout_url, str) or not checkout_url:
        raise _unreadable("initialize answered without a checkout_url")
    return Checkout(checkout_url=checkout_url)


def verify(tx_ref: str) -> Transaction:
    """Chapa's own record of a charge: the only thing that proves a payment happened."""
    data = _as_object(_request("GET", f"/v1/transaction/verify/{quote(tx_ref, safe='')}"))
    return Transaction(
        tx_ref=str(data.get("tx_ref") or tx_ref),
        status=_status(data.get("status")),
        amount=_decimal(data.get("amount"), "amount"),
        currency=str(data.get("currency") or ""),
        charge=_decimal(data.get("charge") or "0", "charge"),
        reference=str(data.get("reference") or ""),
        email=str(data.get("email") or ""),
        created_at=_moment(data.get("created_at")),
    )


def transfer(
    *,
    reference: str,
    amount: Decimal,
    currency: str,
    bank_code: str,
    account_name: str,
    account_number: str,
) -> Transfer:
    """Queue a transfer to a bank account or mobile-money wallet; it settles later."""
    body = {
        "account_name": account_name,
        "account_number": account_number,
        "amount": _money(amount),
        "currency": currency,
        "reference": reference,
        "bank_code": bank_code,
    }
    data = _request("POST", "/v1/transfers", body)
    # Chapa answers a queued transfer with its reference as `data`, not with the transfer.
    queued_as = data if isinstance(data, str) and data else reference
    return Transfer(reference=queued_as, status=PENDING, amount=amount, currency=currency)


def verify_transfer(reference: str) -> Transfer:
    """Where a transfer stands now, by our reference."""
    data = _as_object(_request("GET", f"/v1/transfers/verify/{quote(reference, safe='')}"))
    return Transfer(
        reference=str(data.get("tx_ref") or data.get("reference") or reference),
        status=_status(data.get("status")),
        amount=_decimal(data.get("amount"), "amount"),
        currency=str(data.get("currency") or ""),
    )


def banks() -> list[Bank]:
    """The banks and mobile-money providers a transfer may go to."""
    data = _request("GET", "/v1/banks")
    if not isinstance(data, list):
        raise _unreadable("banks answered without a list")
    return [
        Bank(
            id=str(bank.get("id")),
            name=str(bank.get("name") or ""),
            is_mobile_money=bool(bank.get("is_mobilemoney")),
        )
        for bank in data
        if isinstance(bank, dict) and bank.get("id") is not None
    ]


def refund(*, tx_ref: str, amount: Decimal | None = None, reason: str = "") -> Refund:
    """Give a successful charge back to the payer, whole or in part."""
    body: dict[str, str] = {"reason": reason} if reason else {}
    if amount is not None:
        body["amount"] = _money(amount)
    data = _as_object(_request("POST", f"/v1/refund/{quote(tx_ref, safe='')}", body))
    return Refund(
        tx_ref=str(data.get("tx_ref") or tx_ref),
        status=str(data.get("status") or ""),
        amount=_decimal(data.get("amount") if data.get("amount") is not None else amount, "amount"),
    )


def sign(body: bytes, secret: str) -> str:
    """The hex HMAC-SHA256 of `body` keyed with `secret`, as Chapa puts in x-chapa-signature."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, header_value: str | None, secret: str) -> bool:
    """Whether `header_value` is the signature of these exact bytes (constant-time compare)."""
    if not secret or not header_value:
        return False
    # As bytes: compare_digest refuses non-ASCII str, and a forged header may hold anything.
    given = header_value.strip().lower().encode("utf-8", "surrogateescape")
    return hmac.compare_digest(sign(body, secret).encode("ascii"), given)


def _request(method: str, path: str, body: dict[str, str] | None = None) -> Any:
    """One call to Chapa; the `data` of its envelope, or a ChapaError."""
    if not chapa_configured():
        raise ChapaError("Chapa is not configured.", retryable=False)
    scheme, host, port, prefix = _base()
    connection_class = (
        http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(host, port, timeout=settings.CHAPA_TIMEOUT_SECONDS)
    headers = {
        "Authorization": f"Bearer {settings.CHAPA_SECRET_KEY}",
        "Accept": "application/json",
    }
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, prefix + path, body=payload, headers=headers)
        response = connection.getresponse()
        status, raw = response.status, response.read()
    except TimeoutError:
        raise ChapaError("Chapa did not answer in time.", retryable=True) from None
    except (OSError, http.client.HTTPException) as error:
        raise ChapaError(
            f"Chapa could not be reached ({error.__class__.__name__}).", retryable=True
        ) from None
    finally:
        connection.close()
    return _envelope_data(status, raw)


def _envelope_data(status: int, raw: bytes) -> Any:
    try:
        envelope = json.loads(raw)
    except ValueError:
        envelope = None
    if not isinstance(envelope, dict):
        # A proxy's HTML error page, an empty body: not Chapa speaking, so maybe later it will.
        raise ChapaError(
            f"Chapa answered {status} without its JSON envelope.", status=status, retryable=True
        )
    if status >= 500:
        raise ChapaError(
            _message(envelope) or f"Chapa failed ({status}).", status=status, retryable=True
        )
    if status >= 400 or envelope.get("status") not in (None, SUCCESS):
        raise ChapaError(
            _message(envelope) or f"Chapa refused ({status}).", status=status, retryable=False
        )
    return envelope.get("data")


def _message(envelope: dict[str, Any]) -> str:
    """Chapa's message is a sentence, or for validation errors a {field: [sentences]} object."""
    message = envelope.get("message")
    if isinstance(message, dict):
        parts = []
        for field, problems in message.items():
            texts = problems if isinstance(problems, list) else [problems]
            parts.append(f"{field}: {' '.join(str(text) for text in texts)}")
        return "; ".join(parts)
    return str(message) if message else ""


def _base() -> tuple[str, str, int | None, str]:
    parts = urlsplit(settings.CHAPA_BASE_URL)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ChapaError("CHAPA_BASE_URL must be an http(s) URL.", retryable=False)
    if (
        settings.PRODUCTION
        and parts.scheme != "https"
        and not _loopback(parts.hostname)
        and not settings.CHAPA_SECRET_KEY.startswith(TEST_KEY_PREFIX)
    ):
        raise ChapaError("CHAPA_BASE_URL must use https in production.", retryable=False)
    return parts.scheme, parts.hostname, parts.port, parts.path.rstrip("/")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _as_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _unreadable("Chapa answered without the record asked for")
    return data


def _unreadable(why: str) -> ChapaError:
    return ChapaError(f"{why}.", retryable=True)


def _plain(text: str) -> str:
    return " ".join(NOT_PLAIN.sub(" ", text).split())


def _money(amount: Decimal) -> str:
    return format(Decimal(amount), "f")


def _decimal(value: Any, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _unreadable(f"Chapa's {field} is not a number") from None


def _status(value: Any) -> str:
    """Chapa's words for a settled or unsettled record, brought to success / pending / failed."""
    word = str(value or "").lower()
    # A refunded charge was paid first: what happened to the money afterwards is the refund's story.
    if word in {"success", "successful", "completed", "refunded"}:
        return SUCCESS
    if word in {"failed", "failure", "cancelled", "canceled", "reverted", "reversed", "expired"}:
        return FAILED
    return PENDING


def _moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
