"""GraphQL: myPayments, myBalance, payouts, requestPayout, approvePayout, rejectPayout."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.payments.models import Payment, Payout, PayoutStatus
from tests.core.test_graphql import bearer, graphql
from tests.payments.payout_helpers import assert_ledger_balances, give_credit, give_payout_method

pytestmark = pytest.mark.django_db

MINE = """
query { myBalance { currency amount }
  myPayments { totalCount results { txRef amount currency status purposeLabel checkoutUrl } }
  payouts { totalCount results { reference amount status accountNumber } } }
"""
REQUEST = """
mutation($amount: String!, $currency: String!) {
  requestPayout(amount: $amount, currency: $currency) {
    payout { id reference amount status accountNumber } errors { field code message } } }
"""
APPROVE = (
    "mutation($id: ID!) { approvePayout(id: $id) { payout { status } errors { field code } } }"
)
REJECT = """
mutation($id: ID!, $reason: String!) {
  rejectPayout(id: $id, reason: $reason) { payout { status statusReason } errors { field code } } }
"""


@pytest.fixture
def payee(owner, chapa_sandbox):
    give_credit(owner, "2000.00")
    give_payout_method(owner)
    return owner


def test_a_user_reads_their_money_and_asks_for_a_payout(
    client, payee, django_capture_on_commit_callbacks
):
    Payment.objects.create(
        tx_ref="nx-g",
        payer=payee,
        amount="20.00",
        currency="ETB",
        purpose="bounty",
        purpose_id="1",
    )
    with django_capture_on_commit_callbacks(execute=True):
        asked = graphql(
            client, REQUEST, {"amount": "150.00", "currency": "ETB"}, **bearer(payee)
        ).json()["data"]["requestPayout"]
    data = graphql(client, MINE, **bearer(payee)).json()["data"]

    assert asked["errors"] == []
    assert asked["payout"]["amount"] == "150.00"
    assert asked["payout"]["accountNumber"] == "•••• 3344"
    assert data["myBalance"] == [{"currency": "ETB", "amount": "1850.00"}]
    assert data["myPayments"]["results"] == [
        {
            "txRef": "nx-g",
            "amount": "20.00",
            "currency": "ETB",
            "status": "pending",
            "purposeLabel": "Bounty 1",
            "checkoutUrl": "",
        }
    ]
    assert data["payouts"]["results"][0]["status"] == "sending"
    assert_ledger_balances()


@pytest.mark.parametrize(
    ("amount", "currency", "field", "code"),
    [
        ("0", "ETB", "amount", "min_value"),
        ("2000.01", "ETB", "amount", "max_value"),
        ("1.001", "ETB", "amount", "max_decimal_places"),
        ("x", "ETB", "amount", "invalid"),
        ("1", "GBP", "currency", "invalid_choice"),
    ],
)
def test_bad_amounts_are_typed_errors(client, payee, amount, currency, field, code):
    result = graphql(
        client, REQUEST, {"amount": amount, "currency": currency}, **bearer(payee)
    ).json()["data"]["requestPayout"]

    assert result["payout"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)]
    assert not Payout.objects.exists()


def test_admins_approve_and_reject_and_nobody_else_does(
    client, payee, other_user, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        big = graphql(client, REQUEST, {"amount": "1500", "currency": "ETB"}, **bearer(payee))
    big_id = big.json()["data"]["requestPayout"]["payout"]["id"]
    waiting = Payout.objects.create(
        reference="po-2",
        user=payee,
        amount="1.00",
        currency="ETB",
        status=PayoutStatus.AWAITING_APPROVAL,
        bank_code="951",
        account_name="O",
        account_number="0911223344",
    )

    stranger = graphql(client, APPROVE, {"id": big_id}, **bearer(other_user)).json()
    own = graphql(client, APPROVE, {"id": big_id}, **bearer(payee)).json()
    with django_capture_on_commit_callbacks(execute=True):
        approved = graphql(client, APPROVE, {"id": big_id}, **bearer(admin_user)).json()
    missing = graphql(client, APPROVE, {"id": "999999"}, **bearer(admin_user)).json()
    no_reason = graphql(
        client, REJECT, {"id": str(waiting.pk), "reason": " "}, **bearer(admin_user)
    ).json()

    assert stranger["data"]["approvePayout"]["errors"] == [{"field": "id", "code": "not_found"}]
    assert own["data"]["approvePayout"]["errors"][0]["code"] == "permission_denied"
    assert approved["data"]["approvePayout"] == {"payout": {"status": "queued"}, "errors": []}
    assert missing["data"]["approvePayout"]["errors"][0]["code"] == "not_found"
    assert no_reason["data"]["rejectPayout"]["errors"] == [{"field": "reason", "code": "required"}]


def test_payouts_cost_the_same_queries_at_any_page_size(client, payee):
    for number in range(12):
        Payout.objects.create(
            reference=f"po-{number}",
            user=payee,
            amount="1.00",
            currency="ETB",
            bank_code="951",
            account_name="O",
            account_number="0911223344",
        )
    counts = []
    for size in (2, 10):
        query = f"query {{ payouts(pagination: {{limit: {size}}}) {{ results {{ reference accountNumber }} }} }}"
        with CaptureQueriesContext(connection) as queries:
            results = graphql(client, query, **bearer(payee)).json()["data"]["payouts"]["results"]
        assert len(results) == size
        counts.append(len(queries))

    print(f"payouts over GraphQL: {counts[0]} queries at 2 a page, {counts[1]} at 10")
    assert counts[0] == counts[1]
