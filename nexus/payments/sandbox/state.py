"""What the Chapa test server remembers: transactions, transfers, refunds, faults and webhooks.

Everything lives in memory behind one lock; `reset()` forgets it all (tests reset between cases).
No Django here: the server also runs alone (`python -m nexus.payments.sandbox`, compose).
"""

import datetime as dt
import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

CURRENCIES = ("ETB", "USD")
FEE_RATE = Decimal("0.035")  # Chapa's published 3.5 % for local payments
CENTS = Decimal("0.01")
ENDPOINTS = ("initialize", "verify", "transfer", "verify_transfer", "refund", "banks")
FAULT_MODES = ("timeout", "500", "400", "html")

# Fictional ids: they look like Chapa's (integers, a swift code, a slug) but name no real bank.
_BANK_NAMES: tuple[dict[str, Any], ...] = (
    {"id": 901, "slug": "sandbox_bank", "swift": "SBXAETAA", "name": "Sandbox Bank"},
    {"id": 902, "slug": "harbor_bank", "swift": "HRBRETAA", "name": "Harbor Test Bank"},
    {"id": 951, "slug": "sandbox_wallet", "swift": "SBXWETAA", "name": "Sandbox Mobile Wallet"},
    {"id": 952, "slug": "test_birr", "swift": "TBIRETAA", "name": "TestBirr"},
)
MOBILE_MONEY = {951, 952}
BANKS = tuple(
    {
        **bank,
        "acct_length": 10 if bank["id"] in MOBILE_MONEY else 13,
        "is_mobilemoney": 1 if bank["id"] in MOBILE_MONEY else None,  # Chapa's 1-or-null flag
    }
    for bank in _BANK_NAMES
)


def now() -> dt.datetime:
    # The sandbox runs without Django, so not through nexus.core.clock; time-machine still moves
    # time.time(), so in tests its timestamps agree with Nexus's clock.
    return dt.datetime.fromtimestamp(time.time(), dt.UTC)  # noqa: TID251


def stamp(moment: dt.datetime) -> str:
    """Chapa's timestamp format: 2024-02-01T10:20:30.000000Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def money(amount: Decimal) -> str:
    return str(amount.quantize(CENTS))


def fee_for(amount: Decimal) -> Decimal:
    return (amount * FEE_RATE).quantize(CENTS, rounding=ROUND_HALF_UP)


def hmac_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Delivery:
    """One signed webhook: what was (or will be) POSTed, and how it went."""

    event: str
    body: bytes
    headers: dict[str, str]
    status: str = "queued"  # queued | delivered | failed
    attempts: int = 0
    last_response: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "body": self.body.decode(),
            "headers": self.headers,
            "status": self.status,
            "attempts": self.attempts,
            "last_response": self.last_response,
        }


@dataclass
class Fault:
    mode: str
    times: int


@dataclass
class Sandbox:
    """The test server's memory and its behaviour, shared by every request thread."""

    secret_key: str
    webhook_secret: str
    webhook_url: str = ""
    # Delays before each retry of a webhook delivery that failed (Chapa retries with backoff).
    retry_delays: tuple[float, ...] = (1.0, 5.0, 25.0)
    # How long a "timeout" fault holds the request before answering (longer than any client waits).
    timeout_hold_seconds: float = 30.0
    base_url: str = ""
    lock: threading.RLock = field(default_factory=threading.RLock)
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    checkout_tokens: dict[str, str] = field(default_factory=dict)
    transfers: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: dict[str, Fault] = field(default_factory=dict)
    failing_transfers: int = 0
    deliveries: list[Delivery] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    def reset(self) -> None:
        """Forget everything; requests held by a timeout fault are let go."""
        with self.lock:
            self.released.set()
            self.released = threading.Event()
            self.transactions.clear()
            self.checkout_tokens.clear()
            self.transfers.clear()
            self.faults.clear()
            self.failing_transfers = 0
            self.deliveries.clear()

    # -- control ---------------------------------------------------------------------------

    def add_fault(self, endpoint: str, mode: str, times: int = 1) -> None:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {', '.join(ENDPOINTS)}")
        if mode not in FAULT_MODES:
            raise ValueError(f"mode must be one of {', '.join(FAULT_MODES)}")
        with self.lock:
            self.faults[endpoint] = Fault(mode=mode, times=max(1, int(times)))

    def take_fault(self, endpoint: str) -> str | None:
        with self.lock:
            fault = self.faults.get(endpoint)
            if fault is None:
                return None
            fault.times -= 1
            if fault.times <= 0:
                del self.faults[endpoint]
            return fault.mode

    def tamper(self, tx_ref: str, amount: Decimal | None, currency: str | None) -> None:
        """Make Chapa's record of a charge disagree with what was asked for."""
        with self.lock:
            transaction = self.transactions[tx_ref]
            if amount is not None:
                transaction["amount"] = amount
                transaction["charge"] = fee_for(amount)
            if currency is not None:
                transaction["currency"] = currency

    def fail_transfers(self, times: int = 1) -> None:
        with self.lock:
            self.failing_transfers = max(0, int(times))

    # -- charges ---------------------------------------------------------------------------

    def create_transaction(self, fields: dict[str, Any]) -> str:
        """Store a pending charge; returns its checkout URL."""
        token = secrets.token_urlsafe(12)
        moment = now()
        with self.lock:
            self.transactions[fields["tx_ref"]] = {
                **fields,
                "status": "pending",
                "reference": "AP" + secrets.token_hex(5).upper(),
                "charge": fee_for(fields["amount"]),
                "refunded": Decimal("0"),
                "token": token,
                "created_at": moment,
                "updated_at": moment,
            }
            self.checkout_tokens[token] = fields["tx_ref"]
        return f"{self.base_url}/checkout/{token}"

    def transaction_by_token(self, token: str) -> dict[str, Any] | None:
        with self.lock:
            tx_ref = self.checkout_tokens.get(token)
            return self.transactions.get(tx_ref) if tx_ref else None

    def settle(self, tx_ref: str, outcome: str) -> dict[str, Any]:
        """What the checkout buttons do: outcome "success", "cancelled" or "failed"."""
        with self.lock:
            transaction = self.transactions[tx_ref]
            if transaction["status"] != "pending":
                return transaction  # a second click changes nothing, as on Chapa
            transaction["status"] = outcome
            transaction["updated_at"] = now()
            payload = self.charge_payload(transaction, f"charge.{outcome}")
        self.queue_webhook(payload)
        if outcome == "success":
            self.call_back(transaction)
        return transaction

    def charge_payload(self, transaction: dict[str, Any], event: str) -> dict[str, Any]:
        return {
            "event": event,
            "first_name": transaction["first_name"],
            "last_name": transaction["last_name"],
            "email": transaction["email"],
            "mobile": transaction.get("phone_number"),
            "currency": transaction["currency"],
            "amount": money(transaction["amount"]),
            "charge": money(transaction["charge"]),
            "status": transaction["status"],
            "failure_reason": None if transaction["status"] == "success" else "Declined",
            "mode": "test",
            "reference": transaction["reference"],
            "created_at": stamp(transaction["created_at"]),
            "updated_at": stamp(transaction["updated_at"]),
            "type": "API",
            "tx_ref": transaction["tx_ref"],
            "payment_method": "test",
            "customization": {
                "title": transaction.get("title"),
                "description": transaction.get("description"),
                "logo": None,
            },
            "meta": None,
        }

    def verify_record(self, transaction: dict[str, Any]) -> dict[str, Any]:
        return {
            "first_name": transaction["first_name"],
            "last_name": transaction["last_name"],
            "email": transaction["email"],
            "currency": transaction["currency"],
            "amount": money(transaction["amount"]),
            "charge": money(transaction["charge"]),
            "mode": "test",
            "method": "test",
            "type": "API",
            "status": transaction["status"],
            "reference": transaction["reference"],
            "tx_ref": transaction["tx_ref"],
            "customization": {
                "title": transaction.get("title"),
                "description": transaction.get("description"),
                "logo": None,
            },
            "meta": None,
            "created_at": stamp(transaction["created_at"]),
            "updated_at": stamp(transaction["updated_at"]),
        }

    def refund(self, tx_ref: str, amount: Decimal | None, reason: str) -> dict[str, Any]:
        """Give back part or all of a successful charge; ValueError says why not."""
        with self.lock:
            transaction = self.transactions[tx_ref]
            if transaction["status"] not in {"success", "refunded"}:
                raise ValueError("Only successful transactions can be refunded")
            left = transaction["amount"] - transaction["refunded"]
            amount = left if amount is None else amount
            if amount > left:
                raise ValueError("Refund amount exceeds the refundable amount")
            transaction["refunded"] += amount
            if transaction["refunded"] == transaction["amount"]:
                transaction["status"] = "refunded"
            transaction["updated_at"] = now()
            payload = {
                **self.charge_payload(transaction, "charge.refunded"),
                "amount": money(amount),
            }
        self.queue_webhook(payload)
        return {
            "tx_ref": tx_ref,
            "refund_reference": "RF" + secrets.token_hex(5).upper(),
            "amount": money(amount),
            "currency": transaction["currency"],
            "reason": reason,
            "status": "refunded",
        }

    def call_back(self, transaction: dict[str, Any]) -> None:
        """Chapa GETs callback_url?trx_ref=..&ref_id=..&status=.. — best effort, off the request."""
        url = transaction.get("callback_url")
        if not url:
            return
        query = urlencode(
            {
                "trx_ref": transaction["tx_ref"],
                "ref_id": transaction["reference"],
                "status": "success",
            }
        )
        target = f"{url}{'&' if '?' in url else '?'}{query}"
        threading.Thread(target=_get_quietly, args=(target,), daemon=True).start()

    # -- transfers -------------------------------------------------------------------------

    def create_transfer(self, fields: dict[str, Any]) -> None:
        """Queue a transfer; it settles at once (success, or failed while fail_transfers lasts)."""
        bank = next(bank for bank in BANKS if str(bank["id"]) == str(fields["bank_code"]))
        moment = now()
        with self.lock:
            outcome = "success"
            if self.failing_transfers > 0:
                self.failing_transfers -= 1
                outcome = "failed"
            transfer = {
                **fields,
                "bank": bank,
                "status": outcome,
                "chapa_reference": "TR" + secrets.token_hex(5).upper(),
                "created_at": moment,
                "updated_at": moment,
            }
            self.transfers[fields["reference"]] = transfer
        self.queue_webhook(
            {
                "event": f"payout.{outcome}",
                "type": "Payout",
                "account_name": transfer["account_name"],
                "account_number": transfer["account_number"],
                "bank_id": bank["id"],
                "bank_name": bank["name"],
                "amount": money(transfer["amount"]),
                "charge": "0.00",
                "currency": transfer["currency"],
                "status": outcome,
                "reference": transfer["reference"],
                "chapa_reference": transfer["chapa_reference"],
                "bank_reference": None if outcome == "failed" else secrets.token_hex(6).upper(),
                "created_at": stamp(moment),
                "updated_at": stamp(moment),
            }
        )

    def transfer_record(self, transfer: dict[str, Any]) -> dict[str, Any]:
        return {
            "account_name": transfer["account_name"],
            "account_number": transfer["account_number"],
            "mobile": None,
            "currency": transfer["currency"],
            "amount": money(transfer["amount"]),
            "charge": "0.00",
            "mode": "test",
            "transfer_method": "mobile_money" if transfer["bank"]["is_mobilemoney"] else "bank",
            "narration": None,
            "chapa_transfer_id": transfer["chapa_reference"],
            "bank_code": transfer["bank"]["id"],
            "bank_name": transfer["bank"]["name"],
            "cross_party_reference": None,
            "status": transfer["status"],
            "tx_ref": transfer["reference"],
            "created_at": stamp(transfer["created_at"]),
            "updated_at": stamp(transfer["updated_at"]),
        }

    # -- webhooks --------------------------------------------------------------------------

    def queue_webhook(self, payload: dict[str, Any]) -> Delivery:
        """Sign the payload as Chapa does; send it now when a webhook URL is set, else queue it."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        delivery = Delivery(
            event=payload["event"],
            body=body,
            headers={
                "Content-Type": "application/json",
                # Chapa sends both: x-chapa-signature binds the body; Chapa-Signature is the
                # HMAC of the secret with itself: it proves the sender knows it, binds nothing.
                "x-chapa-signature": hmac_hex(self.webhook_secret, body),
                "Chapa-Signature": hmac_hex(self.webhook_secret, self.webhook_secret.encode()),
            },
        )
        with self.lock:
            self.deliveries.append(delivery)
            url = self.webhook_url
        if url:
            threading.Thread(target=self.deliver, args=(delivery, url), daemon=True).start()
        return delivery

    def deliver(self, delivery: Delivery, url: str) -> None:
        """POST one webhook, retrying after each delay on a non-2xx answer or a network error."""
        for delay in (0.0, *self.retry_delays):
            if delay and self.released.wait(delay):
                return  # reset while waiting: this delivery belongs to a finished test
            delivery.attempts += 1
            request = urllib.request.Request(  # noqa: S310 — the operator's webhook URL
                url, data=delivery.body, headers=delivery.headers, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    delivery.last_response = response.status
            except urllib.error.HTTPError as error:
                delivery.last_response = error.code
            except OSError:
                delivery.last_response = None
            if delivery.last_response is not None and 200 <= delivery.last_response < 300:
                delivery.status = "delivered"
                return
        delivery.status = "failed"


def _get_quietly(url: str) -> None:
    try:
        with urllib.request.urlopen(url, timeout=5):  # noqa: S310 — the merchant's own URL
            pass
    except OSError:
        pass  # best effort, as Chapa's callback is
