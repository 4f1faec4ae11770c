"""REST: /api/v1/payouts/ (own list, request, method; admins' queue, approve, reject) and
/api/v1/payments/ (the user's own ledger view), with bad input as field errors and query counts
that do not grow with the page."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.payments.models import Payment, Payout, PayoutMethod, PayoutStatus
from tests.payments.payout_helpers import assert_ledger_balances, give_credit, give_payout_method

pytestmark = pytest.mark.django_db


@pytest.fixture
def payee(owner, chapa_sandbox):
    give_credit(owner, "3000.00")
    give_payout_method(owner)
    return owner


def _errors(response):
    return {error["field"]: error["code"] for error in response.json()["errors"]}


def test_a_user_requests_a_payout_and_lists_their_own(
    payee, client_for, other_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(payee).post(
            "/api/v1/payouts/", {"amount": "120.50", "currency": "ETB"}, format="json"
        )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "120.50"
    assert body["status"] == PayoutStatus.QUEUED  # sent once the request committed
    assert Payout.objects.get().status == PayoutStatus.SENDING
    assert body["account_number"] == "•••• 3344"
    assert "0911223344" not in response.content.decode()
    listed = client_for(payee).get("/api/v1/payouts/").json()["results"]
    assert [p["reference"] for p in listed] == [body["reference"]]
    assert client_for(other_user).get("/api/v1/payouts/").json()["results"] == []
    assert client_for(other_user).get(f"/api/v1/payouts/{body['id']}/").status_code == 404
    assert_ledger_balances()


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"amount": "0"}, "amount", "min_value"),
        ({"amount": "-1"}, "amount", "min_value"),
        ({"amount": "1.001"}, "amount", "max_decimal_places"),
        ({"amount": "1e12"}, "amount", "max_value"),
        ({"amount": "3000.01"}, "amount", "max_value"),
        ({"amount": "abc"}, "amount", "invalid"),
        ({"amount": "5", "currency": "XYZ"}, "currency", "invalid_choice"),
        ({"amount": 5}, "amount", "invalid"),
        ({}, "amount", "required"),
        ({"amount": "5", "user": 1}, "user", "unknown_field"),
    ],
)
def test_bad_payout_requests_are_400_with_the_field(payee, client_for, body, field, code):
    response = client_for(payee).post("/api/v1/payouts/", body, format="json")

    assert response.status_code == 400
    assert _errors(response)[field] == code
    assert not Payout.objects.exists()


def test_an_admin_lists_approves_and_rejects_waiting_payouts(
    payee, client_for, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client_for(payee).post("/api/v1/payouts/", {"amount": "1200"}, format="json")
        second = client_for(payee).post("/api/v1/payouts/", {"amount": "1300"}, format="json")
    admin = client_for(admin_user)

    queue = admin.get("/api/v1/payouts/awaiting-approval/").json()["results"]
    assert [p["id"] for p in queue] == [first.json()["id"], second.json()["id"]]
    assert client_for(payee).get("/api/v1/payouts/awaiting-approval/").status_code == 403
    assert (
        client_for(payee).post(f"/api/v1/payouts/{first.json()['id']}/approve/").status_code == 403
    )

    with django_capture_on_commit_callbacks(execute=True):
        approved = admin.post(f"/api/v1/payouts/{first.json()['id']}/approve/")
    no_reason = admin.post(f"/api/v1/payouts/{second.json()['id']}/reject/", {}, format="json")
    rejected = admin.post(
        f"/api/v1/payouts/{second.json()['id']}/reject/", {"reason": "Wrong name"}, format="json"
    )

    assert approved.json()["status"] == PayoutStatus.QUEUED
    assert Payout.objects.get(pk=first.json()["id"]).status == PayoutStatus.SENDING
    assert _errors(no_reason) == {"reason": "required"}
    assert rejected.json()["status"] == PayoutStatus.REJECTED
    assert admin.get("/api/v1/payouts/awaiting-approval/").json()["results"] == []
    assert admin.post("/api/v1/payouts/999999/approve/").status_code == 404
    assert_ledger_balances()


def test_the_payout_method_is_the_owners_alone_and_shown_masked(
    owner, other_user, client_for, chapa_sandbox, api_client
):
    assert client_for(owner).get("/api/v1/payouts/method/").status_code == 404

    saved = client_for(owner).put(
        "/api/v1/payouts/method/",
        {"bank_code": "901", "account_name": "Olivia  Owner", "account_number": "1000 2000 3000"},
        format="json",
    )

    assert saved.status_code == 200, saved.content
    assert saved.json()["account_number"] == "•••• 3000"
    assert saved.json()["bank_name"] == "Sandbox Bank"
    assert saved.json()["kind"] == "bank"
    assert "100020003000" not in saved.content.decode()
    assert PayoutMethod.objects.get(user=owner).account_number == "100020003000"
    assert client_for(other_user).get("/api/v1/payouts/method/").status_code == 404
    assert api_client.get("/api/v1/payouts/method/").status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"bank_code": "1", "account_name": "A", "account_number": "1234567"}, "bank_code"),
        ({"bank_code": "901", "account_name": " ", "account_number": "1234567"}, "account_name"),
        ({"bank_code": "901", "account_name": "A", "account_number": "12ab567"}, "account_number"),
        ({"bank_code": "901", "account_name": "A", "account_number": "123"}, "account_number"),
        ({"bank_code": "901", "account_name": "A", "account_number": "1" * 21}, "account_number"),
    ],
)
def test_a_bad_payout_method_is_a_field_error(owner, client_for, chapa_sandbox, body, field):
    response = client_for(owner).put("/api/v1/payouts/method/", body, format="json")

    assert response.status_code == 400
    assert field in _errors(response)
    assert not PayoutMethod.objects.exists()


def test_the_payments_list_is_the_users_own_ledger_view(owner, other_user, client_for):
    Payment.objects.create(
        tx_ref="nx-abc",
        payer=owner,
        amount="150.00",
        currency="ETB",
        purpose="bounty",
        purpose_id="7",
        checkout_url="https://checkout.example/abc",
    )
    give_credit(owner, "40.00")

    payments = client_for(owner).get("/api/v1/payments/").json()["results"]
    movements = client_for(owner).get("/api/v1/payments/movements/").json()["results"]
    balance = client_for(owner).get("/api/v1/payments/balance/").json()

    assert [(p["tx_ref"], p["amount"], p["status"]) for p in payments] == [
        ("nx-abc", "150.00", "pending")
    ]
    assert payments[0]["checkout_url"] == "https://checkout.example/abc"
    assert [(m["kind"], m["direction"], m["amount"]) for m in movements] == [
        ("charge", "in", "40.00")
    ]
    assert balance == {"results": [{"currency": "ETB", "amount": "40.00"}]}
    assert client_for(other_user).get("/api/v1/payments/").json()["results"] == []


@pytest.mark.parametrize(
    "path", ["/api/v1/payments/", "/api/v1/payments/movements/", "/api/v1/payouts/"]
)
def test_lists_cost_the_same_queries_at_any_page_size(owner, client_for, path):
    for number in range(12):
        Payment.objects.create(
            tx_ref=f"nx-{number}",
            payer=owner,
            amount="1.00",
            currency="ETB",
            purpose="bounty",
            purpose_id=str(number),
        )
        give_credit(owner, "3.00", key=f"charge:nx-{number}")
        Payout.objects.create(
            reference=f"po-{number}",
            user=owner,
            amount="1.00",
            currency="ETB",
            bank_code="951",
            account_name="O",
            account_number="0911223344",
        )
    client = client_for(owner)
    counts = []
    for size in (2, 10):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{path}?page_size={size}")
        assert len(response.json()["results"]) == size
        counts.append(len(queries))

    print(f"{path}: {counts[0]} queries at 2 a page, {counts[1]} at 10")
    assert counts[0] == counts[1]


def test_anonymous_callers_get_a_401(api_client):
    for path in ("/api/v1/payments/", "/api/v1/payouts/", "/api/v1/payments/balance/"):
        assert api_client.get(path).status_code == 401
    assert api_client.post("/api/v1/payouts/", {"amount": "1"}).status_code == 401


def test_an_admin_sees_another_users_payout_only_masked(payee, client_for, admin_user):
    payout = Payout.objects.create(
        reference="po-x",
        user=payee,
        amount=Decimal("1200"),
        currency="ETB",
        status=PayoutStatus.AWAITING_APPROVAL,
        bank_code="951",
        account_name="O",
        account_number="0911223344",
    )

    response = client_for(admin_user).get("/api/v1/payouts/awaiting-approval/")

    assert response.json()["results"][0]["id"] == payout.pk
    assert "0911223344" not in response.content.decode()
