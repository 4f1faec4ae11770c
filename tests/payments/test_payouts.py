"""Payouts end to end against the local Chapa test server: straight through, approved, rejected,
retried, returned, settled by a webhook delivered twice, raced for the same credit. After each,
the ledger balances."""

import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from nexus.core.models import OutboxEvent
from nexus.payments.models import ChapaEvent, EntryKind, LedgerEntry, Payout, PayoutStatus
from nexus.payments.services import payouts as services
from tests.payments.payout_helpers import (
    assert_ledger_balances,
    give_credit,
    give_payout_method,
    wallet,
)
from tests.refusals import assert_refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def payee(owner, chapa_sandbox):
    give_credit(owner, "5000.00")
    give_payout_method(owner)
    return owner


def _request(user, amount, commit, currency="ETB"):
    with commit(execute=True):
        return services.payout_request(user=user, amount=amount, currency=currency)


def _fresh(payout):
    return Payout.objects.get(pk=payout.pk)


def _kinds(payout):
    return sorted(LedgerEntry.objects.filter(payout=payout).values_list("kind", flat=True))


def test_a_small_payout_goes_straight_through_and_is_paid_when_chapa_says_so(
    payee, chapa_sandbox, django_capture_on_commit_callbacks, stopped_clock
):
    payout = _request(payee, "200.00", django_capture_on_commit_callbacks)

    assert _fresh(payout).status == PayoutStatus.SENDING
    assert wallet(payee) == Decimal("4800.00")
    stopped_clock.shift(timedelta(minutes=2))
    services.payouts_advance()  # no webhook came: the beat asks Chapa

    payout = _fresh(payout)
    assert payout.status == PayoutStatus.PAID
    assert payout.paid_at is not None
    assert _kinds(payout) == [EntryKind.PAYOUT, EntryKind.PAYOUT_SENT]
    assert payout.account_number == "0911223344"
    assert_ledger_balances()


def test_a_big_payout_waits_for_an_admin_then_goes(
    payee, admin_user, chapa_sandbox, django_capture_on_commit_callbacks, settings
):
    settings.PAYMENTS_PAYOUT_APPROVAL_ABOVE = Decimal("1000.00")
    payout = _request(payee, "1000.01", django_capture_on_commit_callbacks)
    assert _fresh(payout).status == PayoutStatus.AWAITING_APPROVAL
    assert wallet(payee) == Decimal("3999.99")

    with django_capture_on_commit_callbacks(execute=True):
        services.payout_approve(payout=payout, actor=admin_user)
    services.payout_approve(payout=payout, actor=admin_user)  # twice: nothing more

    payout = _fresh(payout)
    assert payout.status == PayoutStatus.SENDING
    assert payout.approved_by == admin_user
    assert payout.attempts == 1
    assert_ledger_balances()


def test_only_an_admin_other_than_the_payee_decides(
    payee, other_user, chapa_sandbox, django_capture_on_commit_callbacks
):
    payout = _request(payee, "1500", django_capture_on_commit_callbacks)

    for actor in (other_user, payee):
        assert_refused(
            lambda actor=actor: services.payout_approve(payout=payout, actor=actor),
            lambda: _fresh(payout).status,
        )
    payee.role = "admin"
    payee.save()
    with pytest.raises(PermissionDenied):
        services.payout_reject(payout=payout, actor=payee, reason="mine")


def test_a_rejected_payout_returns_to_the_credit_with_the_reason(
    payee, admin_user, chapa_sandbox, django_capture_on_commit_callbacks
):
    payout = _request(payee, "1500", django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        services.payout_reject(payout=payout, actor=admin_user, reason="Account name mismatch")
    services.payout_reject(payout=payout, actor=admin_user, reason="again")

    payout = _fresh(payout)
    assert payout.status == PayoutStatus.REJECTED
    assert "Account name mismatch" in payout.status_reason
    assert wallet(payee) == Decimal("5000.00")
    assert _kinds(payout) == [EntryKind.PAYOUT, EntryKind.PAYOUT_RETURNED]
    with pytest.raises(ValidationError):
        services.payout_approve(payout=payout, actor=admin_user)
    assert_ledger_balances()


def test_a_transfer_failing_twice_is_retried_with_backoff_then_paid(
    payee, chapa_sandbox, django_capture_on_commit_callbacks, stopped_clock, settings
):
    settings.PAYMENTS_PAYOUT_RETRY_SECONDS = 60
    chapa_sandbox.fault("transfer", "500", times=2)

    payout = _request(payee, "300", django_capture_on_commit_callbacks)
    payout = _fresh(payout)
    assert (payout.status, payout.attempts) == (PayoutStatus.RETRYING, 1)
    assert wallet(payee) == Decimal("4700.00")  # held while it is retried
    services.payouts_advance()  # not due yet
    assert _fresh(payout).attempts == 1

    stopped_clock.shift(timedelta(seconds=61))
    services.payouts_advance()
    payout = _fresh(payout)
    assert (payout.status, payout.attempts) == (PayoutStatus.RETRYING, 2)
    waited = payout.next_attempt_at - payout.updated_at
    assert timedelta(seconds=119) < waited <= timedelta(seconds=120)  # twice the first wait

    stopped_clock.shift(timedelta(seconds=121))
    services.payouts_advance()
    assert _fresh(payout).status == PayoutStatus.SENDING
    stopped_clock.shift(timedelta(minutes=2))
    services.payouts_advance()

    payout = _fresh(payout)
    assert (payout.status, payout.attempts) == (PayoutStatus.PAID, 3)
    assert wallet(payee) == Decimal("4700.00")
    assert_ledger_balances()


def test_a_transfer_failing_for_good_is_returned_and_the_wallet_is_whole(
    payee, chapa_sandbox, django_capture_on_commit_callbacks, stopped_clock, settings
):
    settings.PAYMENTS_PAYOUT_MAX_ATTEMPTS = 3
    chapa_sandbox.fault("transfer", "timeout", times=3)

    payout = _request(payee, "300", django_capture_on_commit_callbacks)
    for _ in range(3):
        stopped_clock.shift(timedelta(hours=1))
        services.payouts_advance()

    payout = _fresh(payout)
    assert (payout.status, payout.attempts) == (PayoutStatus.RETURNED, 3)
    assert "after 3 attempts" in payout.status_reason
    assert wallet(payee) == Decimal("5000.00")
    assert _kinds(payout) == [EntryKind.PAYOUT, EntryKind.PAYOUT_RETURNED]
    assert_ledger_balances()


def test_a_refused_transfer_is_returned_at_once_with_chapas_message(
    payee, chapa_sandbox, django_capture_on_commit_callbacks
):
    chapa_sandbox.fault("transfer", "400")

    payout = _fresh(_request(payee, "300", django_capture_on_commit_callbacks))

    assert (payout.status, payout.attempts) == (PayoutStatus.RETURNED, 1)
    assert payout.status_reason
    assert wallet(payee) == Decimal("5000.00")
    assert_ledger_balances()


def _chapa_event(delivery):
    payload = json.loads(delivery.body)
    return ChapaEvent.objects.get_or_create(
        reference=payload["reference"], event=payload["event"], defaults={"payload": payload}
    )[0]


def test_a_webhook_delivered_twice_settles_the_payout_once(
    payee, chapa_sandbox, django_capture_on_commit_callbacks
):
    payout = _request(payee, "250", django_capture_on_commit_callbacks)
    (delivery,) = [d for d in chapa_sandbox.deliveries if b"payout." in d.body]

    outcomes = [services.payout_event_handle(_chapa_event(delivery)) for _ in range(2)]

    assert outcomes == [f"payout {payout.reference} paid"] * 2
    assert _kinds(payout) == [EntryKind.PAYOUT, EntryKind.PAYOUT_SENT]
    assert OutboxEvent.objects.filter(name="payout.paid").count() == 1  # one e-mail
    assert wallet(payee) == Decimal("4750.00")
    assert_ledger_balances()


def test_a_failed_transfer_webhook_returns_the_money(
    payee, chapa_sandbox, django_capture_on_commit_callbacks
):
    chapa_sandbox.fail_transfers(times=1)
    payout = _request(payee, "250", django_capture_on_commit_callbacks)
    (delivery,) = [d for d in chapa_sandbox.deliveries if b"payout.failed" in d.body]

    services.payout_event_handle(_chapa_event(delivery))
    services.payout_event_handle(_chapa_event(delivery))

    assert _fresh(payout).status == PayoutStatus.RETURNED
    assert wallet(payee) == Decimal("5000.00")
    assert OutboxEvent.objects.filter(name="payout.returned").count() == 1
    assert_ledger_balances()


def test_a_failure_reported_after_the_payout_was_paid_changes_nothing(
    payee, chapa_sandbox, django_capture_on_commit_callbacks
):
    payout = _request(payee, "250", django_capture_on_commit_callbacks)
    (delivery,) = [d for d in chapa_sandbox.deliveries if b"payout.success" in d.body]
    services.payout_event_handle(_chapa_event(delivery))
    late = ChapaEvent.objects.create(
        reference=payout.reference, event="payout.failed", payload={"message": "Too late"}
    )

    assert services.payout_event_handle(late) == f"payout {payout.reference} paid"
    assert wallet(payee) == Decimal("4750.00")
    assert_ledger_balances()


@pytest.mark.parametrize(
    ("amount", "currency", "field", "code"),
    [
        ("0", "ETB", "amount", "min_value"),
        ("-5", "ETB", "amount", "min_value"),
        ("10.005", "ETB", "amount", "max_decimal_places"),
        ("99999999999", "ETB", "amount", "max_value"),
        ("lots", "ETB", "amount", "invalid"),
        ("10", "EUR", "currency", "invalid_choice"),
        ("5000.01", "ETB", "amount", "max_value"),
        ("1", "USD", "amount", "max_value"),
    ],
)
def test_bad_amounts_are_field_errors_and_nothing_moves(payee, amount, currency, field, code):
    with pytest.raises(ValidationError) as refused:
        services.payout_request(user=payee, amount=amount, currency=currency)

    assert refused.value.error_dict[field][0].code == code
    assert not Payout.objects.exists()
    assert wallet(payee) == Decimal("5000.00")


def test_the_refusal_says_how_much_credit_there_is(payee):
    with pytest.raises(ValidationError) as refused:
        services.payout_request(user=payee, amount="6000", currency="ETB")

    assert refused.value.error_dict["amount"][0].message == "You have 5000.00 ETB."


def test_a_payout_needs_a_payout_method(owner, chapa_sandbox):
    give_credit(owner, "100")

    with pytest.raises(ValidationError) as refused:
        services.payout_request(user=owner, amount="50", currency="ETB")

    assert "payout_method" in refused.value.error_dict
    assert not Payout.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers; no race to lose"
)
def test_two_payouts_racing_for_the_whole_credit_one_wins(owner, settings, chapa_sandbox):
    give_credit(owner, "5000.00")
    give_payout_method(owner)
    payee = owner
    settings.PAYMENTS_PAYOUT_APPROVAL_ABOVE = Decimal("1")  # both wait for an admin: no Chapa
    barrier = threading.Barrier(2)
    outcomes = []

    def ask():
        barrier.wait()
        try:
            services.payout_request(user=payee, amount="5000.00", currency="ETB")
            outcomes.append("paid out")
        except ValidationError as refused:
            outcomes.append(refused.error_dict["amount"][0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["max_value", "paid out"]
    assert wallet(payee) == Decimal("0.00")
    assert Payout.objects.count() == 1
    assert_ledger_balances()


def test_with_payments_off_a_payout_is_refused_saying_why(owner, settings):
    settings.CHAPA_SECRET_KEY = ""
    give_credit(owner, "100")
    give_payout_method(owner)

    with pytest.raises(ValidationError) as refused:
        services.payout_request(user=owner, amount="50", currency="ETB")

    assert "Payments are off" in refused.value.messages[0]
    assert wallet(owner) == Decimal("100.00")


def test_chapas_signed_webhook_pays_the_payout_once_however_often_it_comes(
    payee, chapa_sandbox, client, django_capture_on_commit_callbacks
):
    payout = _request(payee, "250", django_capture_on_commit_callbacks)
    (delivery,) = [d for d in chapa_sandbox.deliveries if b"payout.success" in d.body]
    headers = {k: v for k, v in delivery.headers.items() if k.lower() != "content-type"}

    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(
                "/api/v1/payments/chapa/webhook/",
                data=delivery.body,
                content_type="application/json",
                headers=headers,
            ).status_code
            for _ in range(2)
        ]

    assert answers == [200, 200]
    payout = _fresh(payout)
    assert payout.status == PayoutStatus.PAID
    assert ChapaEvent.objects.get(reference=payout.reference).outcome == (
        f"payout {payout.reference} paid"
    )
    assert _kinds(payout) == [EntryKind.PAYOUT, EntryKind.PAYOUT_SENT]
    assert_ledger_balances()
