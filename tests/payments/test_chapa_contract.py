"""Chapa's contract, through nexus/payments/chapa.py: the same cases against the local test server
and, when CHAPA_TEST_SECRET_KEY is set, against Chapa's test mode — so the double stays faithful.

Cases that need a payer to press a checkout button (pay, cancel, tamper, refund, webhooks) run
against the test server only: Chapa's test mode has no API for its checkout buttons.
"""

import json
import os
import secrets
from decimal import Decimal

import pytest

from nexus.payments import chapa

CHAPA_TEST_MODE_URL = "https://api.chapa.co"
NO_TEST_MODE_KEY = (
    "Chapa's test mode runs only with CHAPA_TEST_SECRET_KEY set (api.chapa.co is not reachable "
    "from CI); the local test server ran the same cases"
)


@pytest.fixture(params=["sandbox", "chapa-test-mode"])
def target(request, settings):
    """Where the contract cases run: the local test server, or Chapa's own test mode."""
    if request.param == "sandbox":
        return request.getfixturevalue("chapa_sandbox")
    key = os.environ.get("CHAPA_TEST_SECRET_KEY", "")
    if not key:
        pytest.skip(NO_TEST_MODE_KEY)
    settings.CHAPA_SECRET_KEY = key
    settings.CHAPA_WEBHOOK_SECRET = os.environ.get("CHAPA_TEST_WEBHOOK_SECRET", "unused")
    settings.CHAPA_BASE_URL = CHAPA_TEST_MODE_URL
    settings.CHAPA_TIMEOUT_SECONDS = 20
    return None


def new_tx_ref() -> str:
    return f"nx-contract-{secrets.token_hex(8)}"


def start_checkout(tx_ref: str, amount: str = "100.00", currency: str = "ETB") -> chapa.Checkout:
    return chapa.initialize(
        tx_ref=tx_ref,
        amount=Decimal(amount),
        currency=currency,
        email="payer@example.com",
        first_name="Abebe",
        last_name="Kebede",
        callback_url="http://127.0.0.1:9/api/v1/payments/chapa/callback/",
        return_url="http://127.0.0.1:9/payments/",
        title="Nexus bounty",
        description="A bounty on a challenge",
    )


def refusal(call) -> chapa.ChapaError:
    with pytest.raises(chapa.ChapaError) as caught:
        call()
    return caught.value


# -- cases run against both ----------------------------------------------------------------


def test_initialize_returns_a_checkout_url(target):
    checkout = start_checkout(new_tx_ref())

    assert checkout.checkout_url.startswith(("http://", "https://"))


def test_initialize_without_an_amount_is_refused_with_the_field(target):
    body = {"currency": "ETB", "email": "payer@example.com", "tx_ref": new_tx_ref()}

    error = refusal(lambda: chapa._request("POST", "/v1/transaction/initialize", body))

    assert error.status == 400
    assert not error.retryable
    assert "amount" in error.message


@pytest.mark.parametrize("amount", ["-5.00", "0", "12.345"])
def test_initialize_with_a_bad_amount_is_refused(target, amount):
    error = refusal(lambda: start_checkout(new_tx_ref(), amount=amount))

    assert error.status == 400
    assert not error.retryable
    assert "amount" in error.message.lower()


def test_initialize_makes_the_checkout_texts_fit_chapas_rules(target):
    checkout = chapa.initialize(
        tx_ref=new_tx_ref(),
        amount=Decimal("10.00"),
        currency="ETB",
        email="payer@example.com",
        first_name="Abebe",
        last_name="Kebede",
        callback_url="http://127.0.0.1:9/callback/",
        return_url="http://127.0.0.1:9/payments/",
        title="Bounty: «Why does my cache miss?»",
        description="A bounty on “Why does my cache miss?” (challenge #12) — 100 ETB!",
    )

    assert checkout.checkout_url


def test_initialize_with_a_title_chapa_refuses_names_the_field(target):
    body = {
        "amount": "10.00",
        "currency": "ETB",
        "tx_ref": new_tx_ref(),
        "customization[title]": "A title far longer than sixteen characters",
    }

    error = refusal(lambda: chapa._request("POST", "/v1/transaction/initialize", body))

    assert error.status == 400
    assert "title" in error.message


def test_initialize_with_a_reused_tx_ref_is_refused(target):
    tx_ref = new_tx_ref()
    start_checkout(tx_ref)

    error = refusal(lambda: start_checkout(tx_ref))

    assert error.status == 400
    assert not error.retryable
    assert "used before" in error.message


def test_a_wrong_secret_key_is_refused(target, settings):
    settings.CHAPA_SECRET_KEY = "CHASECK_TEST-not-the-key"

    error = refusal(lambda: start_checkout(new_tx_ref()))

    assert error.status == 401
    assert not error.retryable
    assert "CHASECK_TEST-not-the-key" not in error.message


def test_verify_reads_back_a_pending_charge(target):
    tx_ref = new_tx_ref()
    start_checkout(tx_ref, amount="250.50")

    transaction = chapa.verify(tx_ref)

    assert (transaction.tx_ref, transaction.status) == (tx_ref, chapa.PENDING)
    assert (transaction.amount, transaction.currency) == (Decimal("250.50"), "ETB")
    assert transaction.email == "payer@example.com"


def test_verify_of_an_unknown_tx_ref_is_refused(target):
    error = refusal(lambda: chapa.verify(new_tx_ref()))

    assert error.status is not None
    assert 400 <= error.status < 500
    assert not error.retryable


def test_banks_list_banks_and_mobile_money(target):
    banks = chapa.banks()

    assert banks
    assert all(bank.id and bank.name for bank in banks)
    assert any(bank.is_mobile_money for bank in banks)
    assert any(not bank.is_mobile_money for bank in banks)


def test_a_transfer_is_queued_and_verifiable(target):
    bank = next(bank for bank in chapa.banks() if not bank.is_mobile_money)
    reference = new_tx_ref()

    queued = chapa.transfer(
        reference=reference,
        amount=Decimal("75.00"),
        currency="ETB",
        bank_code=bank.id,
        account_name="Abebe Kebede",
        account_number="1000123456789",
    )
    checked = chapa.verify_transfer(reference)

    assert queued.reference == reference
    assert checked.reference == reference
    assert checked.status in {chapa.SUCCESS, chapa.PENDING}
    assert (checked.amount, checked.currency) == (Decimal("75.00"), "ETB")


def test_a_transfer_with_bad_input_is_refused_with_the_fields(target):
    error = refusal(
        lambda: chapa.transfer(
            reference=new_tx_ref(),
            amount=Decimal("-1"),
            currency="ETB",
            bank_code="no-such-bank",
            account_name="",
            account_number="12ab",
        )
    )

    assert error.status == 400
    assert not error.retryable
    assert "amount" in error.message
    assert "account_name" in error.message


# -- cases only the test server can play (a payer presses a button) ----------------------------


def test_a_paid_charge_verifies_with_chapas_fee_and_reference(chapa_sandbox):
    tx_ref = new_tx_ref()
    start_checkout(tx_ref, amount="100.00")
    chapa_sandbox.pay(tx_ref)

    transaction = chapa.verify(tx_ref)

    assert transaction.status == chapa.SUCCESS
    assert transaction.charge == Decimal("3.50")
    assert transaction.reference.startswith("AP")
    assert transaction.created_at is not None


@pytest.mark.parametrize(
    ("press", "event"), [("cancel", "charge.cancelled"), ("fail", "charge.failed")]
)
def test_a_charge_that_ends_without_money_verifies_as_failed(chapa_sandbox, press, event):
    tx_ref = new_tx_ref()
    start_checkout(tx_ref)
    getattr(chapa_sandbox, press)(tx_ref)

    assert chapa.verify(tx_ref).status == chapa.FAILED
    assert [delivery.event for delivery in chapa_sandbox.deliveries] == [event]


def test_a_second_press_changes_nothing(chapa_sandbox):
    tx_ref = new_tx_ref()
    start_checkout(tx_ref)
    chapa_sandbox.pay(tx_ref)
    chapa_sandbox.fail(tx_ref)

    assert chapa.verify(tx_ref).status == chapa.SUCCESS
    assert len(chapa_sandbox.deliveries) == 1


def test_a_tampered_record_is_what_verify_reports(chapa_sandbox):
    tx_ref = new_tx_ref()
    start_checkout(tx_ref, amount="100.00")
    chapa_sandbox.tamper(tx_ref, amount="1.00", currency="USD")
    chapa_sandbox.pay(tx_ref)

    transaction = chapa.verify(tx_ref)

    assert (transaction.amount, transaction.currency) == (Decimal("1.00"), "USD")


def test_the_webhook_signature_binds_the_exact_body(chapa_sandbox):
    tx_ref = new_tx_ref()
    start_checkout(tx_ref, amount="100.00")
    chapa_sandbox.pay(tx_ref)
    [delivery] = chapa_sandbox.deliveries
    header = delivery.headers["x-chapa-signature"]
    payload = json.loads(delivery.body)
    reserialised = json.dumps(payload).encode()  # same JSON, other bytes
    forged = delivery.body.replace(b'"100.00"', b'"900.00"')

    assert header == chapa.sign(delivery.body, chapa_sandbox.webhook_secret)
    assert chapa.signature_valid(delivery.body, header, chapa_sandbox.webhook_secret)
    assert not chapa.signature_valid(reserialised, header, chapa_sandbox.webhook_secret)
    assert not chapa.signature_valid(forged, header, chapa_sandbox.webhook_secret)
    assert not chapa.signature_valid(delivery.body, header, "another-secret")
    assert not chapa.signature_valid(delivery.body, "", chapa_sandbox.webhook_secret)
    assert not chapa.signature_valid(delivery.body, None, chapa_sandbox.webhook_secret)
    secret = chapa_sandbox.webhook_secret
    assert delivery.headers["Chapa-Signature"] == chapa.sign(secret.encode(), secret)
    assert payload["event"] == "charge.success"
    assert (payload["tx_ref"], payload["amount"], payload["currency"]) == (tx_ref, "100.00", "ETB")
    assert payload["status"] == "success"
    assert payload["reference"]
    assert payload["created_at"]


def test_a_refund_gives_back_part_then_the_rest_and_no_more(chapa_sandbox):
    tx_ref = new_tx_ref()
    start_checkout(tx_ref, amount="100.00")
    chapa_sandbox.pay(tx_ref)

    part = chapa.refund(tx_ref=tx_ref, amount=Decimal("40.00"), reason="bounty expired")
    rest = chapa.refund(tx_ref=tx_ref)
    error = refusal(lambda: chapa.refund(tx_ref=tx_ref, amount=Decimal("0.01")))

    assert (part.tx_ref, part.amount, part.status) == (tx_ref, Decimal("40.00"), "refunded")
    assert rest.amount == Decimal("60.00")
    assert error.status == 400
    assert not error.retryable
    assert [d.event for d in chapa_sandbox.deliveries][-2:] == ["charge.refunded"] * 2


def test_an_unpaid_charge_cannot_be_refunded(chapa_sandbox):
    tx_ref = new_tx_ref()
    start_checkout(tx_ref)

    error = refusal(lambda: chapa.refund(tx_ref=tx_ref))

    assert error.status == 400


def test_a_failing_transfer_verifies_failed_and_says_so_by_webhook(chapa_sandbox):
    chapa_sandbox.fail_transfers(times=1)
    first, second = new_tx_ref(), new_tx_ref()
    for reference in (first, second):
        chapa.transfer(
            reference=reference,
            amount=Decimal("10.00"),
            currency="ETB",
            bank_code="951",
            account_name="Abebe Kebede",
            account_number="0911000000",
        )

    assert chapa.verify_transfer(first).status == chapa.FAILED
    assert chapa.verify_transfer(second).status == chapa.SUCCESS
    events = [json.loads(delivery.body) for delivery in chapa_sandbox.deliveries]
    assert [(e["event"], e["reference"]) for e in events] == [
        ("payout.failed", first),
        ("payout.success", second),
    ]
    assert events[0]["type"] == "Payout"


def test_a_reused_transfer_reference_is_refused(chapa_sandbox):
    reference = new_tx_ref()
    queue = lambda: chapa.transfer(  # noqa: E731
        reference=reference,
        amount=Decimal("10.00"),
        currency="ETB",
        bank_code="901",
        account_name="Abebe Kebede",
        account_number="1000123456789",
    )
    queue()

    assert refusal(queue).status == 400
