"""GraphQL: offerBounty and sponsor answer the checkout URL or typed errors; the lists mirror
REST and cost the same queries whatever their length."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.funding.models import Bounty, Sponsorship
from tests.core.test_graphql import bearer, graphql
from tests.factories import UserFactory
from tests.funding.money import challenge_by, paid_bounty, pay, payment_for

pytestmark = pytest.mark.django_db

OFFER = """mutation($challenge: ID!, $amount: String!, $currency: String!) {
  offerBounty(challenge: $challenge, amount: $amount, currency: $currency) {
    checkoutUrl bounty { id amount status txRef } errors { field message code } } }"""
SPONSOR = """mutation($learner: ID, $amount: String!) {
  sponsor(learner: $learner, amount: $amount, thankYou: "Go!") {
    checkoutUrl sponsorship { id amount status sponsor { displayName } } errors { field code } } }"""


def test_offer_bounty_answers_the_checkout_url(client, owner, other_user, chapa_sandbox):
    challenge = challenge_by(owner)

    body = graphql(
        client,
        OFFER,
        {"challenge": str(challenge.pk), "amount": "75.25", "currency": "USD"},
        **bearer(other_user),
    ).json()

    result = body["data"]["offerBounty"]
    assert result["errors"] == []
    assert result["checkoutUrl"].startswith(chapa_sandbox.url)
    assert result["bounty"]["amount"] == "75.25"
    assert result["bounty"]["status"] == "pending_payment"
    assert result["bounty"]["txRef"].startswith("nx-")


@pytest.mark.parametrize(
    ("amount", "currency", "field", "code"),
    [
        ("-3", "ETB", "amount", "min_value"),
        ("0", "ETB", "amount", "min_value"),
        ("3.141", "ETB", "amount", "max_decimal_places"),
        ("1e15", "ETB", "amount", "max_value"),
        ("10", "BTC", "currency", "invalid_choice"),
    ],
)
def test_a_bad_amount_or_currency_is_a_typed_error_and_stores_nothing(
    client, owner, other_user, chapa_sandbox, amount, currency, field, code
):
    challenge = challenge_by(owner)

    body = graphql(
        client,
        OFFER,
        {"challenge": str(challenge.pk), "amount": amount, "currency": currency},
        **bearer(other_user),
    ).json()

    result = body["data"]["offerBounty"]
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)]
    assert result["bounty"] is None
    assert not Bounty.objects.exists()


def test_payments_off_is_a_typed_error(client, owner, other_user, settings):
    settings.CHAPA_SECRET_KEY = ""
    challenge = challenge_by(owner)

    body = graphql(
        client,
        OFFER,
        {"challenge": str(challenge.pk), "amount": "10", "currency": "ETB"},
        **bearer(other_user),
    ).json()

    errors = body["data"]["offerBounty"]["errors"]
    assert [e["code"] for e in errors] == ["payments_disabled"]
    assert "Payments are off" in errors[0]["message"]
    assert not Bounty.objects.exists()


def test_sponsor_a_learner_and_unknown_learner_is_not_found(
    client, owner, other_user, chapa_sandbox
):
    body = graphql(
        client, SPONSOR, {"learner": str(owner.pk), "amount": "20"}, **bearer(other_user)
    ).json()
    missing = graphql(
        client, SPONSOR, {"learner": "999999", "amount": "20"}, **bearer(other_user)
    ).json()

    assert body["data"]["sponsor"]["checkoutUrl"].startswith(chapa_sandbox.url)
    assert body["data"]["sponsor"]["sponsorship"]["sponsor"]["displayName"]
    assert missing["data"]["sponsor"]["errors"] == [{"field": "learner", "code": "not_found"}]
    assert Sponsorship.objects.count() == 1


def test_the_lists_cost_the_same_queries_whatever_their_length(client, owner):
    challenge = challenge_by(owner)
    for index in range(6):
        sponsor = UserFactory()
        paid_bounty(challenge, sponsor, f"{index + 1}.00")
        row = Sponsorship.objects.create(
            sponsor=sponsor, learner=owner, amount=Decimal("5.00"), currency="ETB"
        )
        pay(payment_for("sponsorship", row))

    counts = []
    for first in (2, 6):
        query = (
            f"{{ bounties(first: {first}) {{ id amount sponsor {{ displayName }} }} "
            f"sponsorships(first: {first}) {{ id sponsor {{ displayName }} learner {{ id }} }} }}"
        )
        with CaptureQueriesContext(connection) as queries:
            body = graphql(client, query).json()
        assert len(body["data"]["bounties"]) == first
        assert len(body["data"]["sponsorships"]) == first
        counts.append(len(queries))
    print(f"GraphQL bounties + sponsorships queries at 2 and 6: {counts}")
    assert counts[0] == counts[1]
