"""Every way money-in can go wrong, each ending with the same check: the ledger balances, no
account but the world is below zero, and exactly the succeeded payments were charged once, for
Chapa's amount."""

import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from nexus.core import clock
from nexus.payments import chapa
from nexus.payments.models import ChapaEvent, LedgerEntry, Payment, PaymentStatus
from nexus.payments.services.charges import payment_confirm, payment_start
from nexus.payments.services.reconciliation import payments_reconcile
from tests.chapa import WEBHOOK_PATH, WEBHOOK_SECRET
from tests.payments.charges_fixtures import (
    PURPOSE,
    assert_ledger_balanced_and_matches_chapa,
)

pytestmark = pytest.mark.django_db


def _start(payer, amount="120.00", currency="ETB", purpose_id=1):
    return payment_start(
        payer=payer,
        amount=amount,
        currency=currency,
        purpose=PURPOSE,
        purpose_id=purpose_id,
        description="Fault",
    )


def test_a_forged_webhook_credits_nothing(client, owner, chapa_sandbox):
    payment = _start(owner)
    body = json.dumps(
        {"event": "charge.success", "tx_ref": payment.tx_ref, "created_at": clock.now().isoformat()}
    ).encode()

    answer = client.post(
        WEBHOOK_PATH,
        data=body,
        content_type="application/json",
        headers={"x-chapa-signature": chapa.sign(body, "not-the-secret")},
    )

    assert answer.status_code == 401
    assert Payment.objects.get().status == PaymentStatus.PENDING
    assert_ledger_balanced_and_matches_chapa(chapa_sandbox)


def test_a_replayed_webhook_is_credited_once(
    client, owner, chapa_sandbox, django_capture_on_commit_callbacks
):
    payment = _start(owner)
    chapa_sandbox.pay(payment.tx_ref)
    (delivery,) = chapa_sandbox.deliveries
    headers = {k: v for k, v in delivery.headers.items() if k.lower() != "content-type"}

    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(
                WEBHOOK_PATH, data=delivery.body, content_type="application/json", headers=headers
            )
            for _ in range(3)
        ]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert ChapaEvent.objects.count() == 1
    assert LedgerEntry.objects.filter(payment=payment, kind="charge").count() == 1
    assert_ledger_balanced_and_matches_chapa(chapa_sandbox)


def test_a_stale_webhook_credits_nothing(client, owner, chapa_sandbox, stopped_clock):
    payment = _start(owner)
    chapa_sandbox.pay(payment.tx_ref)
    stopped_clock.shift(timedelta(minutes=10))

    (answer,) = chapa_sandbox.deliver_to(client)

    assert answer.status_code == 400
    assert Payment.objects.get().status == PaymentStatus.PENDING
    assert_ledger_balanced_and_matches_chapa(chapa_sandbox)


@pytest.mark.parametrize(
    ("change", "expected"),
    [({"amount": "1.00"}, "1.00 ETB"), ({"currency": "USD"}, "120.00 USD")],
    ids=["amount", "currency"],
)
def test_a_charge_chapa_records_differently_is_held_for_review_not_credited(
    owner, chapa_sandbox, purpose_calls, caplog, change, expected
):
    payment = _start(owner)
    chapa_sandbox.pay(payment.tx_ref)
    chapa_sandbox.tamper(payment.tx_ref, **change)

    held = payment_confirm(tx_ref=payment.tx_ref)

    assert held.status == PaymentStatus.MISMATCH
    assert expected in held.status_reason
    assert purpose_calls["paid"] == []
    assert any(r.levelname == "ERROR" and payment.tx_ref in r.getMessage() for r in caplog.records)
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("mode", ["timeout", "500"])
def test_verify_failing_credits_nothing_backs_off_and_credits_once_it_answers(
    owner, chapa_sandbox, stopped_clock, mode
):
    payment = _start(owner)
    chapa_sandbox.pay(payment.tx_ref)
    chapa_sandbox.fault("verify", mode, times=2)

    first = payment_confirm(tx_ref=payment.tx_ref)
    second = payment_confirm(tx_ref=payment.tx_ref)

    assert second.status == PaymentStatus.PENDING
    assert second.verify_attempts == 2
    assert second.next_verify_at - clock.now() > first.next_verify_at - clock.now()
    assert not LedgerEntry.objects.exists()
    assert payments_reconcile().verified == 0  # not due yet
    stopped_clock.shift(second.next_verify_at - clock.now())
    assert payments_reconcile().verified == 1
    assert Payment.objects.get().status == PaymentStatus.SUCCEEDED
    assert_ledger_balanced_and_matches_chapa(chapa_sandbox)


def test_an_abandoned_checkout_is_expired_and_its_purpose_told(
    owner, chapa_sandbox, purpose_calls, stopped_clock, settings
):
    payment = _start(owner)
    stopped_clock.shift(timedelta(seconds=settings.PAYMENTS_ABANDON_AFTER_SECONDS + 1))

    assert payments_reconcile().expired == 1
    assert payments_reconcile().expired == 0

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.EXPIRED
    assert purpose_calls["failed"] == [payment.tx_ref]
    assert_ledger_balanced_and_matches_chapa(chapa_sandbox)


def test_an_abandoned_checkout_paid_late_is_credited_not_expired(
    owner, chapa_sandbox, stopped_clock, settings
):
    payment = _start(owner)
    chapa_sandbox.pay(payment.tx_ref)
    stopped_clock.shift(timedelta(seconds=settings.PAYMENTS_ABANDON_AFTER_SECONDS + 1))

    payments_reconcile()

    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert_ledger_balanced_and_matches_chapa(chapa_sandbox)


@pytest.mark.parametrize(
    ("amount", "currency", "field", "code"),
    [
        ("0", "ETB", "amount", "min_value"),
        ("-3", "ETB", "amount", "min_value"),
        ("10.001", "ETB", "amount", "max_decimal_places"),
        ("99999999", "ETB", "amount", "max_value"),
        ("lots", "ETB", "amount", "invalid"),
        ("10", "EUR", "currency", "invalid_choice"),
    ],
)
def test_bad_amounts_are_field_errors_and_reach_neither_chapa_nor_the_ledger(
    owner, chapa_sandbox, amount, currency, field, code
):
    with pytest.raises(ValidationError) as refused:
        _start(owner, amount=amount, currency=currency)

    assert refused.value.error_dict[field][0].code == code
    assert not Payment.objects.exists()
    assert chapa_sandbox.state.transactions == {}
    assert_ledger_balanced_and_matches_chapa(chapa_sandbox)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers; no race to lose"
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_webhooks_for_one_charge_at_once_credit_it_once(owner, chapa_sandbox, attempt):
    payment = _start(owner, purpose_id=attempt)
    chapa_sandbox.pay(payment.tx_ref)
    (delivery,) = chapa_sandbox.deliveries
    headers = {k: v for k, v in delivery.headers.items() if k.lower() != "content-type"}
    # The same charge announced twice (success, and a retry re-signed as another event name), so
    # both are stored and both process, racing into payment_confirm.
    second_body = delivery.body.replace(b'"charge.success"', b'"charge.success.retry"')
    bodies = [delivery.body, second_body]
    second_headers = {**headers, "x-chapa-signature": chapa.sign(second_body, WEBHOOK_SECRET)}
    barrier = threading.Barrier(2)
    answers = [None, None]

    def deliver(index):
        barrier.wait()
        answers[index] = Client().post(
            WEBHOOK_PATH,
            data=bodies[index],
            content_type="application/json",
            headers=[headers, second_headers][index],
        )
        connection.close()

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert [a.status_code for a in answers] == [200, 200]
    assert ChapaEvent.objects.filter(processed_at__isnull=False).count() == 2
    assert Payment.objects.get().status == PaymentStatus.SUCCEEDED
    assert LedgerEntry.objects.filter(kind="charge").count() == 1
    assert_ledger_balanced_and_matches_chapa(chapa_sandbox)
    assert Decimal(chapa_sandbox.transaction(payment.tx_ref)["amount"]) == payment.amount
