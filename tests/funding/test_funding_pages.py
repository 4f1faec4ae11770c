"""Funding on the web: the bounty box and offer form on a challenge page, the sponsor form and
thank-yous on a learner's page and a cohort's, the cohort fund's grants page."""

from decimal import Decimal

import pytest
from django.test import Client

from nexus.funding.models import Bounty, CohortGrant, Sponsorship
from nexus.journal.models import Cohort, CohortMembership, Program
from nexus.payments.models import Payment
from tests.factories import UserFactory
from tests.funding.money import challenge_by, credit_of, paid_bounty, pay, payment_for

pytestmark = pytest.mark.django_db


def _browser(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_a_challenge_page_shows_the_open_total_and_the_offer_form_to_the_signed_in(
    owner, other_user, mentor
):
    challenge = challenge_by(owner)
    paid_bounty(challenge, other_user, "500.00")
    paid_bounty(challenge, mentor, "250.00")

    visitor = _browser().get(challenge.get_absolute_url()).content.decode()
    member = _browser(mentor).get(challenge.get_absolute_url()).content.decode()

    assert "750.00 ETB" in visitor
    assert 'data-testid="bounty-form"' not in visitor
    assert 'data-testid="bounty-form"' in member


def test_the_offer_form_goes_on_to_chapas_checkout(owner, other_user, chapa_sandbox):
    challenge = challenge_by(owner)

    answer = _browser(other_user).post(
        f"/funding/bounties/{challenge.pk}/",
        {"amount": "300", "currency": "ETB", "expires_in_days": "30", "on_expiry": "refund"},
    )

    assert answer.status_code == 302
    bounty = Bounty.objects.get()
    assert answer["Location"] == bounty.payment.checkout_url
    assert answer["Location"].startswith(chapa_sandbox.url)
    assert (bounty.duration_days, bounty.on_expiry) == (30, "refund")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-1", "more than zero"),
        ("0", "more than zero"),
        ("1.999", "at most 2 decimal places"),
        ("99999999999", "may be at most"),
    ],
)
def test_a_bad_amount_shows_its_error_next_to_the_field_and_stores_nothing(
    owner, other_user, chapa_sandbox, amount, message
):
    challenge = challenge_by(owner)

    answer = _browser(other_user).post(
        f"/funding/bounties/{challenge.pk}/",
        {"amount": amount, "currency": "ETB", "expires_in_days": "14", "on_expiry": "credit"},
    )

    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert answer.context["form"].errors["amount"]
    assert not Bounty.objects.exists()
    assert not Payment.objects.exists()


def test_payments_off_says_so_on_the_form_and_stores_nothing(owner, other_user, settings):
    settings.CHAPA_SECRET_KEY = ""
    challenge = challenge_by(owner)

    answer = _browser(other_user).post(
        f"/funding/bounties/{challenge.pk}/",
        {"amount": "100", "currency": "ETB", "expires_in_days": "14", "on_expiry": "credit"},
    )

    assert answer.status_code == 503
    assert "Payments are off" in answer.content.decode()
    assert not Bounty.objects.exists()


def test_a_learners_page_thanks_their_sponsors_anonymous_ones_as_a_sponsor(owner, other_user):
    named = Sponsorship.objects.create(
        sponsor=other_user,
        learner=owner,
        amount=Decimal("100.00"),
        currency="ETB",
        thank_you="For the API course",
    )
    hidden = Sponsorship.objects.create(
        sponsor=UserFactory(display_name="Secret Sam"),
        learner=owner,
        amount=Decimal("50.00"),
        currency="ETB",
        public=False,
        thank_you="Quietly cheering",
    )
    pay(payment_for("sponsorship", named))
    pay(payment_for("sponsorship", hidden))

    page = _browser(other_user).get(f"/challenges/users/{owner.pk}/").content.decode()

    assert "For the API course" in page
    assert other_user.display_name in page
    assert "Quietly cheering" in page
    assert "A sponsor" in page
    assert "Secret Sam" not in page
    assert 'data-testid="sponsor-form"' in page


def test_a_cohorts_fund_is_granted_by_its_mentor_never_beyond_what_it_holds(
    owner, other_user, mentor
):
    program = Program.objects.create(title="Backend", slug="backend")
    cohort = Cohort.objects.create(program=program, name="2027 A", start_date="2027-01-01")
    cohort.mentors.add(mentor)
    CohortMembership.objects.create(cohort=cohort, learner=owner)
    sponsorship = Sponsorship.objects.create(
        sponsor=other_user, cohort=cohort, amount=Decimal("1000.00"), currency="ETB"
    )
    pay(payment_for("sponsorship", sponsorship))
    assert credit_of(owner) == Decimal("0.00")  # a cohort's money waits in its fund

    granted = _browser(mentor).post(
        f"/funding/cohorts/{cohort.pk}/grants/",
        {"learner": owner.pk, "amount": "600", "currency": "ETB", "note": "Laptop"},
    )
    too_much = _browser(mentor).post(
        f"/funding/cohorts/{cohort.pk}/grants/",
        {"learner": owner.pk, "amount": "600", "currency": "ETB"},
    )
    outsider = _browser(other_user).get(f"/funding/cohorts/{cohort.pk}/grants/")

    assert granted.status_code == 302
    assert too_much.status_code == 400
    assert "holds 400.00 ETB" in too_much.content.decode()
    assert outsider.status_code == 404
    assert credit_of(owner) == Decimal("600.00")
    assert CohortGrant.objects.count() == 1


def test_my_funding_page_lists_my_bounties(owner, other_user):
    challenge = challenge_by(owner)
    paid_bounty(challenge, other_user, "120.00")

    page = _browser(other_user).get("/funding/").content.decode()

    assert "120.00 ETB" in page
    assert challenge.title in page


def test_the_challenge_list_shows_bounties_sorts_and_filters_by_them_at_a_constant_cost(
    owner, api_client
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plain = challenge_by(owner, title="A challenge nobody funds")
    small = challenge_by(owner, title="A challenge with a small bounty")
    big = challenge_by(owner, title="A challenge with a big bounty")
    paid_bounty(small, UserFactory(), "100.00")
    paid_bounty(big, UserFactory(), "400.00")
    paid_bounty(big, UserFactory(), "25.00", currency="USD")

    sorted_rows = api_client.get("/api/v1/challenges/?sort=bounty").json()["results"]
    with_bounty = api_client.get("/api/v1/challenges/?has_bounty=true").json()["results"]
    page = _browser().get("/challenges/?tab=bounty").content.decode()

    assert [row["id"] for row in sorted_rows] == [big.pk, small.pk, plain.pk]
    assert sorted_rows[0]["open_bounties"] == {"ETB": "400.00", "USD": "25.00"}
    assert sorted_rows[2]["open_bounties"] == {}
    assert {row["id"] for row in with_bounty} == {big.pk, small.pk}
    assert "400.00 ETB bounty" in page
    assert page.index(big.title) < page.index(small.title)

    for index in range(6):
        paid_bounty(challenge_by(owner, title=f"Funded challenge number {index}"), UserFactory())
    counts = []
    for size in (2, 8):
        with CaptureQueriesContext(connection) as queries:
            answer = api_client.get(f"/api/v1/challenges/?sort=bounty&page_size={size}")
        assert len(answer.json()["results"]) == size
        counts.append(len(queries))
    print(f"challenge list (sorted by bounty) queries at page sizes 2 and 8: {counts}")
    assert counts[0] == counts[1]
