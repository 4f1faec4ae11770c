"""The Chapa test server's HTTP face: Chapa's API paths and answers, its checkout page, and a
control API under /_sandbox/ that only this server has.

Answers use Chapa's envelope — `{"message", "status": "success" | "failed", "data"}` — with amounts
as decimal strings; validation errors carry `message` as `{field: [sentence]}` like Chapa's.
"""

import html
import json
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs

from nexus.payments.sandbox.state import BANKS, CURRENCIES, Sandbox, money, now, stamp

StartResponse = Callable[..., Any]
Answer = tuple[str, list[tuple[str, str]], bytes]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PLAIN = re.compile(r"^[A-Za-z0-9 ._-]*$")
REFERENCE = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
MAX_AMOUNT = Decimal("100000000")
OUTCOMES = {"pay": "success", "cancel": "cancelled", "fail": "failed"}


def envelope(status: int, message: Any, data: Any = None, ok: bool | None = None) -> Answer:
    succeeded = status < 400 if ok is None else ok
    body = {"message": message, "status": "success" if succeeded else "failed", "data": data}
    return _json(status, body)


def _json(status: int, body: Any) -> Answer:
    return (
        f"{status} {_REASONS.get(status, 'OK')}",
        [("Content-Type", "application/json")],
        json.dumps(body).encode(),
    )


_REASONS = {
    200: "OK",
    302: "Found",
    303: "See Other",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class App:
    """A WSGI application over one Sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        status, headers, body = self.answer(environ)
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def answer(self, environ: dict[str, Any]) -> Answer:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        if path.startswith("/checkout/"):
            return self.checkout(method, path, environ)
        if not path.startswith(("/v1/", "/_sandbox/")):
            return envelope(404, "Not found")
        if not self.authorised(environ):
            return envelope(401, "Invalid API Key or User doesn't exist")
        try:
            body = _read_body(environ)
        except ValueError:
            return envelope(400, "The request body is not valid JSON")
        if path.startswith("/_sandbox/"):
            return self.control(method, path.removeprefix("/_sandbox/"), body)
        return self.api(method, path.removeprefix("/v1/"), body)

    def authorised(self, environ: dict[str, Any]) -> bool:
        given = environ.get("HTTP_AUTHORIZATION", "")
        return bool(self.sandbox.secret_key) and given == f"Bearer {self.sandbox.secret_key}"

    # -- Chapa's API -------------------------------------------------------------------------

    def api(self, method: str, path: str, body: dict[str, Any]) -> Answer:
        routes: list[tuple[str, str, str, Callable[..., Answer]]] = [
            ("POST", r"transaction/initialize", "initialize", self.initialize),
            ("GET", r"transaction/verify/(?P<ref>[^/]+)", "verify", self.verify),
            ("POST", r"transfers", "transfer", self.transfer),
            ("GET", r"transfers/verify/(?P<ref>[^/]+)", "verify_transfer", self.verify_transfer),
            ("GET", r"banks", "banks", self.banks),
            ("POST", r"refund/(?P<ref>[^/]+)", "refund", self.refund),
        ]
        for route_method, pattern, endpoint, handler in routes:
            match = re.fullmatch(pattern, path.rstrip("/"))
            if match is None:
                continue
            if method != route_method:
                return envelope(405, "Method not allowed")
            if (fault := self.fault(endpoint)) is not None:
                return fault
            return handler(body, **match.groupdict())
        return envelope(404, "Not found")

    def fault(self, endpoint: str) -> Answer | None:
        mode = self.sandbox.take_fault(endpoint)
        if mode == "timeout":
            self.sandbox.released.wait(self.sandbox.timeout_hold_seconds)
            return envelope(504, "Gateway timeout (sandbox fault)")
        if mode == "500":
            return envelope(500, "Internal server error (sandbox fault)")
        if mode == "400":
            return envelope(400, "Bad request (sandbox fault)")
        if mode == "html":
            page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
            return "502 Bad Gateway", [("Content-Type", "text/html")], page
        return None

    def initialize(self, body: dict[str, Any]) -> Answer:
        errors: dict[str, list[str]] = {}
        amount = _amount(body.get("amount"), errors)
        currency = str(body.get("currency") or "ETB")
        if currency not in CURRENCIES:
            errors["currency"] = ["The selected currency is invalid."]
        email = str(body.get("email") or "")
        if email and not EMAIL.match(email):
            errors["email"] = ["The email must be a valid email address."]
        tx_ref = str(body.get("tx_ref") or "")
        if not REFERENCE.match(tx_ref):
            errors["tx_ref"] = [
                "The tx ref field is required and may hold letters, digits, - _ and ."
            ]
        for text_field, limit in (("title", 16), ("description", 200)):
            text = str(body.get(f"customization[{text_field}]") or "")
            if len(text) > limit or not PLAIN.match(text):
                errors[f"customization.{text_field}"] = [
                    f"The {text_field} may hold at most {limit} letters, digits, spaces and . - _"
                ]
        for url_field in ("callback_url", "return_url"):
            value = body.get(url_field)
            if value and not str(value).startswith(("http://", "https://")):
                errors[url_field] = [f"The {url_field.replace('_', ' ')} must be a valid URL."]
        if errors:
            return envelope(400, errors)
        assert amount is not None
        with self.sandbox.lock:
            if tx_ref in self.sandbox.transactions:
                return envelope(400, "Transaction reference has been used before")
            checkout_url = self.sandbox.create_transaction(
                {
                    "tx_ref": tx_ref,
                    "amount": amount,
                    "currency": currency,
                    "email": email,
                    "first_name": str(body.get("first_name") or ""),
                    "last_name": str(body.get("last_name") or ""),
                    "phone_number": body.get("phone_number"),
                    "callback_url": str(body.get("callback_url") or ""),
                    "return_url": str(body.get("return_url") or ""),
                    "title": body.get("customization[title]")
                    or (body.get("customization") or {}).get("title"),
                    "description": body.get("customization[description]")
                    or (body.get("customization") or {}).get("description"),
                }
            )
        return envelope(200, "Hosted Link", {"checkout_url": checkout_url})

    def verify(self, body: dict[str, Any], ref: str) -> Answer:
        transaction = self.sandbox.transactions.get(ref)
        if transaction is None:
            return envelope(404, "Invalid transaction or Transaction not found")
        return envelope(200, "Payment details", self.sandbox.verify_record(transaction))

    def transfer(self, body: dict[str, Any]) -> Answer:
        errors: dict[str, list[str]] = {}
        for required in ("account_name", "account_number", "bank_code"):
            if not str(body.get(required) or "").strip():
                errors[required] = [f"The {required.replace('_', ' ')} field is required."]
        amount = _amount(body.get("amount"), errors)
        currency = str(body.get("currency") or "ETB")
        if currency not in CURRENCIES:
            errors["currency"] = ["The selected currency is invalid."]
        account_number = str(body.get("account_number") or "")
        if account_number and not account_number.isdigit():
            errors["account_number"] = ["The account number must be digits only."]
        bank_code = str(body.get("bank_code") or "")
        if bank_code and all(str(bank["id"]) != bank_code for bank in BANKS):
            errors["bank_code"] = ["The selected bank code is invalid."]
        reference = str(body.get("reference") or "")
        if reference and not REFERENCE.match(reference):
            errors["reference"] = ["The reference may hold letters, digits, - _ and ."]
        if errors:
            return envelope(400, errors)
        assert amount is not None
        with self.sandbox.lock:
            reference = reference or "CHT" + now().strftime("%Y%m%d%H%M%S%f")
            if reference in self.sandbox.transfers:
                return envelope(400, "Transfer reference has been used before")
            self.sandbox.create_transfer(
                {
                    "reference": reference,
                    "amount": amount,
                    "currency": currency,
                    "bank_code": bank_code,
                    "account_name": str(body["account_name"]),
                    "account_number": account_number,
                }
            )
        return envelope(200, "Transfer Queued Successfully", reference)

    def verify_transfer(self, body: dict[str, Any], ref: str) -> Answer:
        transfer = self.sandbox.transfers.get(ref)
        if transfer is None:
            return envelope(404, "Invalid transfer reference or transfer not found")
        return envelope(200, "Transfer details", self.sandbox.transfer_record(transfer))

    def banks(self, body: dict[str, Any]) -> Answer:
        moment = stamp(now())
        data = [
            {
                **bank,
                "country_id": 1,
                "is_active": 1,
                "is_rtgs": None if bank["is_mobilemoney"] else 1,
                "active": 1,
                "is_24hrs": 1 if bank["is_mobilemoney"] else None,
                "currency": "ETB",
                "created_at": moment,
                "updated_at": moment,
            }
            for bank in BANKS
        ]
        return envelope(200, "Banks retrieved", data)

    def refund(self, body: dict[str, Any], ref: str) -> Answer:
        if ref not in self.sandbox.transactions:
            return envelope(404, "Invalid transaction or Transaction not found")
        errors: dict[str, list[str]] = {}
        amount = _amount(body.get("amount"), errors) if body.get("amount") is not None else None
        if errors:
            return envelope(400, errors)
        try:
            data = self.sandbox.refund(ref, amount, str(body.get("reason") or ""))
        except ValueError as refusal:
            return envelope(400, str(refusal))
        return envelope(200, "Refund processed successfully", data)

    # -- the hosted checkout -----------------------------------------------------------------

    def checkout(self, method: str, path: str, environ: dict[str, Any]) -> Answer:
        match = re.fullmatch(
            r"/checkout/(?P<token>[\w-]+)(?:/(?P<action>pay|cancel|fail))?/?", path
        )
        transaction = self.sandbox.transaction_by_token(match["token"]) if match else None
        if match is None or transaction is None:
            return _page(404, "Checkout not found", "<p>This checkout link is not valid.</p>")
        action = match["action"]
        if action is None and method == "GET":
            return _page(200, "Chapa test checkout", _checkout_form(transaction, match["token"]))
        if action is None or method != "POST":
            return _page(405, "Not allowed", "<p>Use the buttons on the checkout page.</p>")
        settled = self.sandbox.settle(transaction["tx_ref"], OUTCOMES[action])
        return_url = settled.get("return_url") or ""
        if settled["status"] == "success" and return_url:
            return "302 Found", [("Location", return_url)], b""
        words = {"success": "Payment received", "cancelled": "Payment cancelled"}
        title = words.get(settled["status"], "Payment failed")
        back = (
            f'<p><a href="{html.escape(return_url)}">Return to the merchant</a></p>'
            if return_url
            else ""
        )
        return _page(200, title, f"<p>{html.escape(title)}.</p>{back}")

    # -- the control API (only this server has it) -------------------------------------------

    def control(self, method: str, path: str, body: dict[str, Any]) -> Answer:
        path = path.rstrip("/")
        if method == "GET" and path == "deliveries":
            return _json(200, [delivery.as_json() for delivery in self.sandbox.deliveries])
        if method != "POST":
            return envelope(405, "Method not allowed")
        try:
            return self.control_action(path, body)
        except (KeyError, ValueError, InvalidOperation) as refusal:
            return envelope(400, f"Refused: {refusal}")

    def control_action(self, path: str, body: dict[str, Any]) -> Answer:
        sandbox = self.sandbox
        if path == "reset":
            sandbox.reset()
        elif path == "fault":
            sandbox.add_fault(str(body["endpoint"]), str(body["mode"]), int(body.get("times", 1)))
        elif path == "tamper":
            amount = body.get("amount")
            sandbox.tamper(
                str(body["tx_ref"]),
                Decimal(str(amount)) if amount is not None else None,
                body.get("currency"),
            )
        elif path == "fail_transfers":
            sandbox.fail_transfers(int(body.get("times", 1)))
        elif path == "webhook_url":
            sandbox.webhook_url = str(body.get("url") or "")
        elif (
            match := re.fullmatch(r"(?P<action>pay|cancel|fail)/(?P<ref>[^/]+)", path)
        ) is not None:
            sandbox.settle(match["ref"], OUTCOMES[match["action"]])
        else:
            return envelope(404, "Not found")
        return envelope(200, "Done")


def _amount(value: Any, errors: dict[str, list[str]]) -> Decimal | None:
    if value is None or str(value).strip() == "":
        errors["amount"] = ["The amount field is required."]
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        errors["amount"] = ["The amount must be a number."]
        return None
    if not amount.is_finite() or amount <= 0:
        errors["amount"] = ["The amount must be greater than 0."]
    elif amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = ["The amount must have at most 2 decimal places and be within limits."]
    else:
        return amount
    return None


def _read_body(environ: dict[str, Any]) -> dict[str, Any]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    if not raw:
        return {}
    form = environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
    if form and not raw.lstrip().startswith(b"{"):  # curl -d sends JSON labelled as a form
        return {key: values[-1] for key, values in parse_qs(raw.decode()).items()}
    parsed = json.loads(raw)
    if not isinstance(parsed, dict):
        raise ValueError("not an object")
    return parsed


def _checkout_form(transaction: dict[str, Any], token: str) -> str:
    amount = f"{money(transaction['amount'])} {transaction['currency']}"
    what = transaction.get("description") or transaction.get("title") or "Payment"
    buttons = "".join(
        f'<form method="post" action="/checkout/{token}/{action}">'
        f'<button type="submit">{label}</button></form>'
        for action, label in (("pay", "Pay"), ("cancel", "Cancel"), ("fail", "Fail"))
    )
    return (
        f"<p>{html.escape(str(what))}</p>"
        f"<p>Amount: <strong data-amount>{html.escape(amount)}</strong></p>"
        f"<p>Reference: <code>{html.escape(transaction['tx_ref'])}</code></p>"
        f'<div class="actions">{buttons}</div>'
        "<p><small>Chapa test server: no money moves.</small></p>"
    )


def _page(status: int, title: str, content: str) -> Answer:
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;"
        "padding:0 1rem;color:#111;background:#fff}.actions{display:flex;gap:.5rem}"
        "button{font-size:1rem;padding:.5rem 1rem}"
        "@media (prefers-color-scheme:dark){body{color:#eee;background:#111}a{color:#9cf}}</style>"
        f"</head><body><main><h1>{html.escape(title)}</h1>{content}</main></body></html>"
    )
    return (
        f"{status} {_REASONS.get(status, 'OK')}",
        [("Content-Type", "text/html; charset=utf-8")],
        document.encode(),
    )
