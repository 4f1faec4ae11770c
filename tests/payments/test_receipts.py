"""Receipts by e-mail: the payer of a succeeded payment, and the payee of a payout paid or
returned, each get one e-mail with the amount, the reference, the date and what it was for."""

from datetime import timedelta

import pytest

from nexus.notifications.models import Notification
from nexus.payments.services.charges import payment_confirm, payment_start
from nexus.payments.services.payouts import payout_request, payouts_advance
from tests.payments.charges_fixtures import PURPOSE
from tests.payments.payout_helpers import give_credit, give_payout_method

pytestmark = pytest.mark.django_db


def test_a_succeeded_payment_sends_its_payer_one_receipt(
    owner, chapa_sandbox, purpose_calls, django_capture_on_commit_callbacks, mailoutbox
):
    payment = payment_start(
        payer=owner,
        amount="150.00",
        currency="ETB",
        purpose=PURPOSE,
        purpose_id="42",
        description="A thing",
    )
    chapa_sandbox.pay(payment.tx_ref)

    with django_capture_on_commit_callbacks(execute=True):
        payment_confirm(tx_ref=payment.tx_ref)
    with django_capture_on_commit_callbacks(execute=True):
        payment_confirm(tx_ref=payment.tx_ref)  # again: no second receipt

    receipts = [mail for mail in mailoutbox if "Receipt" in mail.subject]
    assert len(receipts) == 1
    (receipt,) = receipts
    assert receipt.to == [owner.email]
    assert "150.00 ETB paid for Thing 42" in receipt.subject
    assert payment.tx_ref in receipt.subject
    assert Notification.objects.filter(recipient=owner, event_name="payment.receipt").count() == 1


def test_a_paid_payout_and_a_returned_one_each_send_an_email(
    owner, chapa_sandbox, django_capture_on_commit_callbacks, mailoutbox, stopped_clock
):
    give_credit(owner, "500")
    give_payout_method(owner)
    with django_capture_on_commit_callbacks(execute=True):
        paid = payout_request(user=owner, amount="100", currency="ETB")
    chapa_sandbox.fault("transfer", "400")
    with django_capture_on_commit_callbacks(execute=True):
        returned = payout_request(user=owner, amount="50", currency="ETB")
    stopped_clock.shift(timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        payouts_advance()

    subjects = sorted(mail.subject for mail in mailoutbox)
    assert len(subjects) == 2
    assert f"Payout of 50.00 ETB returned to your credit ({returned.reference}" in subjects[0]
    assert f"Payout of 100.00 ETB sent to your account ({paid.reference}" in subjects[1]
    assert all(mail.to == [owner.email] for mail in mailoutbox)
