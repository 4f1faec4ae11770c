import pytest

from nexus.payments.models import LedgerEntry, Payment, PaymentStatus
from nexus.payments.services.charges import payment_start
from tests.payments.charges_fixtures import PURPOSE

pytestmark = pytest.mark.django_db


def _payment(owner):
    return payment_start(
        payer=owner, amount="25", currency="ETB", purpose=PURPOSE, purpose_id=9, description=""
    )


def test_the_return_page_confirms_and_shows_a_paid_payment(client, owner, chapa_sandbox):
    payment = _payment(owner)
    chapa_sandbox.pay(payment.tx_ref)
    client.force_login(owner)

    page = client.get(f"/payments/return/{payment.tx_ref}/")

    assert page.status_code == 200
    assert b'data-status="succeeded"' in page.content
    assert b"Paid." in page.content
    assert b'href="/things/9/"' in page.content
    assert b"/payments/return/" not in page.content.split(b"payment-status")[1].split(b">")[0]
    assert LedgerEntry.objects.filter(kind="charge").count() == 1


def test_the_return_page_polls_every_two_seconds_while_chapa_has_no_answer(
    client, owner, chapa_sandbox
):
    payment = _payment(owner)
    client.force_login(owner)

    page = client.get(f"/payments/return/{payment.tx_ref}/")
    poll = client.get(f"/payments/return/{payment.tx_ref}/", headers={"HX-Request": "true"})

    assert b'hx-trigger="every 2s"' in page.content
    assert b"Still waiting for Chapa" in page.content
    assert b"<html" not in poll.content
    assert b'data-status="pending"' in poll.content
    payment.refresh_from_db()
    assert payment.verify_attempts == 1  # the poll waited for the backoff


def test_a_failed_payment_says_so(client, owner, chapa_sandbox):
    payment = _payment(owner)
    chapa_sandbox.fail(payment.tx_ref)
    client.force_login(owner)

    page = client.get(f"/payments/return/{payment.tx_ref}/")

    assert b'data-status="failed"' in page.content


def test_someone_elses_payment_is_not_found(client, owner, other_user, chapa_sandbox):
    payment = _payment(owner)
    client.force_login(other_user)

    assert client.get(f"/payments/return/{payment.tx_ref}/").status_code == 404


def test_the_return_page_asks_visitors_to_log_in(client, owner, chapa_sandbox):
    payment = _payment(owner)

    assert client.get(f"/payments/return/{payment.tx_ref}/").status_code == 302


def test_chapas_callback_confirms_in_a_task_and_answers_200(client, owner, chapa_sandbox):
    payment = _payment(owner)
    chapa_sandbox.pay(payment.tx_ref)

    answer = client.get(f"/payments/callback/?trx_ref={payment.tx_ref}&ref_id=x&status=success")

    assert answer.status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED


def test_a_callback_for_nothing_known_is_answered_and_ignored(client, chapa_sandbox):
    assert client.get("/payments/callback/?trx_ref=nx-nope").status_code == 200
    assert client.get("/payments/callback/").status_code == 200


def test_a_receipt_whose_purpose_is_gone_still_shows_with_a_way_home(client, owner):
    payment = Payment.objects.create(
        tx_ref="nx-orphan",
        payer=owner,
        amount="5.00",
        currency="ETB",
        purpose="retired-feature",
        purpose_id="1",
        description="Old bounty",
        status=PaymentStatus.SUCCEEDED,
    )
    client.force_login(owner)

    page = client.get(f"/payments/return/{payment.tx_ref}/")

    assert page.status_code == 200
    assert b"Old bounty" in page.content
