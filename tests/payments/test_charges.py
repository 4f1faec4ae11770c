from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from nexus.core.models import OutboxEvent
from nexus.payments.ledger import balance, hold_account, system_account, wallet_account
from nexus.payments.models import EntryKind, LedgerEntry, Payment, PaymentStatus
from nexus.payments.services.charges import (
    PaymentsDisabled,
    payment_confirm,
    payment_start,
    payments_enabled,
    verify_backoff,
)
from tests.payments.charges_fixtures import (
    PURPOSE,
    assert_ledger_balanced_and_matches_chapa,
)

pytestmark = pytest.mark.django_db


def _start(payer, amount="150.00", currency="ETB", purpose_id=1):
    return payment_start(
        payer=payer,
        amount=amount,
        currency=currency,
        purpose=PURPOSE,
        purpose_id=purpose_id,
        description="Bounty: fix the cache",
    )


def test_payments_are_off_until_chapa_is_configured(owner, settings):
    settings.CHAPA_SECRET_KEY = ""

    assert not payments_enabled()
    with pytest.raises(PaymentsDisabled, match="Payments are off"):
        _start(owner)
    assert not Payment.objects.exists()


def test_starting_a_payment_opens_a_chapa_checkout(owner, chapa_sandbox):
    payment = _start(owner)

    assert payment.tx_ref.startswith("nx-")
    assert payment.status == PaymentStatus.PENDING
    assert payment.checkout_url.startswith(chapa_sandbox.url)
    sent = chapa_sandbox.transaction(payment.tx_ref)
    assert Decimal(sent["amount"]) == Decimal("150.00")
    assert sent["return_url"].endswith(f"/payments/return/{payment.tx_ref}/")
    assert sent["callback_url"].endswith("/payments/callback/")
    assert not LedgerEntry.objects.exists()


def test_a_paid_checkout_is_credited_once_and_moved_on_by_its_purpose(
    owner, chapa_sandbox, purpose_calls, django_capture_on_commit_callbacks
):
    payment = _start(owner, purpose_id=7)
    chapa_sandbox.pay(payment.tx_ref)

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = payment_confirm(tx_ref=payment.tx_ref)
        again = payment_confirm(tx_ref=payment.tx_ref)

    assert confirmed.status == again.status == PaymentStatus.SUCCEEDED
    assert confirmed.fee == Decimal(chapa_sandbox.transaction(payment.tx_ref)["charge"])
    assert confirmed.chapa_reference == chapa_sandbox.transaction(payment.tx_ref)["reference"]
    assert LedgerEntry.objects.filter(kind=EntryKind.CHARGE).count() == 1
    assert balance(hold_account(PURPOSE, 7, currency="ETB")) == Decimal("150.00")
    assert balance(wallet_account(owner, currency="ETB")) == 0
    assert balance(system_account("fees", currency="ETB")) == confirmed.fee
    assert purpose_calls["paid"] == [payment.tx_ref]
    assert OutboxEvent.objects.filter(name="payment.succeeded").count() == 1
    assert_ledger_balanced_and_matches_chapa(chapa_sandbox)


def test_an_unpaid_checkout_stays_pending_and_is_asked_about_later(owner, chapa_sandbox):
    payment = _start(owner)

    confirmed = payment_confirm(tx_ref=payment.tx_ref)

    assert confirmed.status == PaymentStatus.PENDING
    assert confirmed.verify_attempts == 1
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("press", ["fail", "cancel"])
def test_a_failed_or_cancelled_checkout_ends_without_money(
    owner, chapa_sandbox, purpose_calls, press
):
    payment = _start(owner)
    getattr(chapa_sandbox, press)(payment.tx_ref)

    confirmed = payment_confirm(tx_ref=payment.tx_ref)

    assert confirmed.status == PaymentStatus.FAILED
    assert purpose_calls["failed"] == [payment.tx_ref]
    assert not LedgerEntry.objects.exists()
    assert OutboxEvent.objects.filter(name="payment.failed").count() == 1


def test_chapa_refusing_the_checkout_is_a_clear_error_and_nothing_is_owed(owner, chapa_sandbox):
    chapa_sandbox.fault("initialize", "500")

    with pytest.raises(ValidationError) as refused:
        _start(owner)

    assert refused.value.code == "chapa_unavailable"
    assert "try again" in refused.value.message
    assert Payment.objects.get().status == PaymentStatus.FAILED
    assert not LedgerEntry.objects.exists()


def test_an_unknown_purpose_is_refused(owner, chapa_sandbox):
    with pytest.raises(ValidationError) as refused:
        payment_start(
            payer=owner, amount="1", currency="ETB", purpose="nope", purpose_id=1, description=""
        )

    assert refused.value.error_dict["purpose"][0].code == "invalid"


def test_verification_backs_off_exponentially_up_to_a_cap():
    delays = [verify_backoff(attempts) for attempts in range(1, 12)]

    assert delays[0] == timedelta(minutes=1)
    assert delays[1] == timedelta(minutes=2)
    assert delays == sorted(delays)
    assert delays[-1] == timedelta(minutes=30)
