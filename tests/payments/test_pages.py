"""The payments page, the payout method page and the admins' queue, as a browser gets them."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.payments.models import Payment, Payout, PayoutMethod, PayoutStatus
from tests.payments.payout_helpers import (
    assert_ledger_balances,
    give_credit,
    give_payout_method,
    wallet,
)

pytestmark = pytest.mark.django_db


def _page(client, path="/payments/"):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_user_sees_every_section_empty(client, owner, chapa_sandbox):
    client.force_login(owner)

    page = _page(client)

    for empty in (
        "No credit yet.",
        "Nothing pending.",
        "You have not paid for anything yet.",
        "Nothing received yet.",
        "No payouts yet.",
    ):
        assert empty in page
    assert 'data-testid="nav-payments"' in page
    assert "Payments are switched off" not in page


def test_with_payments_off_the_page_says_so_and_offers_no_payout(client, owner, settings):
    settings.CHAPA_SECRET_KEY = ""
    client.force_login(owner)

    page = _page(client)

    assert "Payments are switched off" in page
    assert "Request a payout" not in page


def test_the_page_shows_credit_payments_pending_and_payouts(
    client, owner, chapa_sandbox, django_capture_on_commit_callbacks
):
    give_credit(owner, "300.00")
    give_payout_method(owner)
    Payment.objects.create(
        tx_ref="nx-waiting",
        payer=owner,
        amount="75.00",
        currency="ETB",
        purpose="bounty",
        purpose_id="3",
        checkout_url="https://checkout.example/x",
    )
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/payments/payouts/request/", {"amount": "100", "currency": "ETB"})
    page = _page(client)

    assert response.status_code == 302
    assert "200.00 ETB" in page  # the credit left
    assert "nx-waiting" in page
    assert "75.00 ETB waiting for payment" in page
    assert "Payout of 100.00 ETB: Sending" in page
    assert "•••• 3344" in page
    assert "0911223344" not in page
    assert_ledger_balances()


def test_a_bad_payout_request_shows_the_error_next_to_the_field(client, owner, chapa_sandbox):
    give_credit(owner, "10.00")
    give_payout_method(owner)
    client.force_login(owner)

    response = client.post("/payments/payouts/request/", {"amount": "25", "currency": "ETB"})

    assert response.status_code == 400
    assert 'data-field="amount"' in response.content.decode()
    assert "You have 10.00 ETB." in response.content.decode()
    assert not Payout.objects.exists()
    assert wallet(owner) == Decimal("10.00")


def test_the_payments_page_costs_the_same_queries_with_more_rows(client, owner, chapa_sandbox):
    client.force_login(owner)
    counts = []
    for rows in (2, 30):
        for number in range(Payment.objects.count(), rows):
            Payment.objects.create(
                tx_ref=f"nx-{number}",
                payer=owner,
                amount="1.00",
                currency="ETB",
                purpose="bounty",
                purpose_id=str(number),
            )
            give_credit(owner, "2.00", key=f"charge:nx-{number}")
            Payout.objects.create(
                reference=f"po-{number}",
                user=owner,
                amount="1.00",
                currency="ETB",
                status=PayoutStatus.QUEUED,
                bank_code="951",
                account_name="O",
                account_number="0911223344",
            )
        with CaptureQueriesContext(connection) as queries:
            _page(client)
        counts.append(len(queries))

    print(f"payments page: {counts[0]} queries with 2 rows, {counts[1]} with 30")
    assert counts[0] == counts[1]


def test_a_user_sets_their_payout_method_from_chapas_list(client, owner, chapa_sandbox):
    client.force_login(owner)

    form = _page(client, "/payments/payout-method/")
    bad = client.post(
        "/payments/payout-method/",
        {"bank_code": "952", "account_name": "Olivia", "account_number": "09-11"},
    )
    saved = client.post(
        "/payments/payout-method/",
        {"bank_code": "952", "account_name": "Olivia", "account_number": "0911 22 33 44"},
    )

    assert "TestBirr (mobile money)" in form
    assert bad.status_code == 400
    assert 'data-field="account_number"' in bad.content.decode()
    assert saved.status_code == 302
    method = PayoutMethod.objects.get(user=owner)
    assert (method.kind, method.account_number) == ("mobile_money", "0911223344")
    assert "•••• 3344" in _page(client, "/payments/payout-method/")


def test_the_payout_method_page_says_so_when_chapa_cannot_list_banks(client, owner, chapa_sandbox):
    chapa_sandbox.fault("banks", "500", times=5)
    client.force_login(owner)

    assert "cannot be fetched right now" in _page(client, "/payments/payout-method/")


def test_an_admin_approves_and_rejects_from_the_queue_with_htmx(
    client, owner, admin_user, chapa_sandbox, django_capture_on_commit_callbacks
):
    give_credit(owner, "5000.00")
    give_payout_method(owner)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/payments/payouts/request/", {"amount": "1500", "currency": "ETB"})
        client.post("/payments/payouts/request/", {"amount": "2000", "currency": "ETB"})
    first, second = Payout.objects.order_by("id")
    client.force_login(admin_user)

    queue = _page(client, "/payments/admin/")
    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(
            f"/payments/admin/payouts/{first.pk}/approve/", headers={"HX-Request": "true"}
        )
    no_reason = client.post(
        f"/payments/admin/payouts/{second.pk}/reject/",
        {"reason": ""},
        headers={"HX-Request": "true"},
    )
    rejected = client.post(
        f"/payments/admin/payouts/{second.pk}/reject/",
        {"reason": "Name does not match"},
        headers={"HX-Request": "true"},
    )

    assert f'data-testid="approve-{first.pk}"' in queue
    assert "0911223344" not in queue
    assert "Queued" in approved.content.decode()
    assert Payout.objects.get(pk=first.pk).status == PayoutStatus.SENDING
    assert no_reason.status_code == 400
    assert "Name does not match" in rejected.content.decode()
    assert wallet(owner) == Decimal("3500.00")
    assert "No payouts are waiting." in _page(client, "/payments/admin/")
    assert_ledger_balances()


def test_the_pages_need_a_signed_in_user(client):
    for path in ("/payments/", "/payments/payout-method/"):
        assert client.get(path).status_code == 302
