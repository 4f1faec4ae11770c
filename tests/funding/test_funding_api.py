"""/api/v1/bounties/ and /api/v1/sponsorships/: offers answer 201 with the checkout URL, every
bad field is a 400 naming it with nothing stored, payments off is a 503, lists cost the same
number of queries whatever the page size."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.challenges.models import ChallengeStatus
from nexus.funding.models import Bounty, BountyStatus, Sponsorship, SponsorshipStatus
from nexus.payments.models import Payment
from nexus.payments.services.charges import payment_confirm
from tests.factories import UserFactory
from tests.funding.money import challenge_by, credit_of, paid_bounty

pytestmark = pytest.mark.django_db


def test_offering_a_bounty_answers_201_with_the_checkout_and_opens_once_paid(
    owner, other_user, client_for, chapa_sandbox, django_capture_on_commit_callbacks
):
    challenge = challenge_by(owner)

    answer = client_for(other_user).post(
        "/api/v1/bounties/",
        {"challenge": challenge.pk, "amount": "500.50", "currency": "ETB", "expires_in_days": 7},
        format="json",
    )

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["amount"] == "500.50"
    assert body["status"] == "pending_payment"
    assert body["tx_ref"].startswith("nx-")
    assert body["checkout_url"].startswith(chapa_sandbox.url)
    chapa_sandbox.pay(body["tx_ref"])
    with django_capture_on_commit_callbacks(execute=True):
        payment_confirm(tx_ref=body["tx_ref"])
    bounty = Bounty.objects.get(pk=body["id"])
    assert bounty.status == BountyStatus.OPEN
    assert bounty.on_expiry == "credit"


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"amount": "-5"}, "amount", "min_value"),
        ({"amount": "0"}, "amount", "min_value"),
        ({"amount": "10.005"}, "amount", "max_decimal_places"),
        ({"amount": "1e12"}, "amount", "max_value"),
        ({"amount": "lots"}, "amount", "invalid"),
        ({"amount": "10", "currency": "XYZ"}, "currency", "invalid_choice"),
        ({"amount": "10", "expires_in_days": 9}, "expires_in_days", "invalid_choice"),
        ({"amount": "10", "on_expiry": "keep"}, "on_expiry", "invalid_choice"),
        ({"amount": "10", "challenge": 999999}, "challenge", "invalid"),
    ],
)
def test_a_bad_bounty_field_is_a_400_naming_it_and_nothing_is_stored(
    owner, other_user, client_for, chapa_sandbox, fields, field, code
):
    challenge = challenge_by(owner)

    answer = client_for(other_user).post(
        "/api/v1/bounties/", {"challenge": challenge.pk, **fields}, format="json"
    )

    assert answer.status_code == 400, answer.json()
    assert field in {error["field"] for error in answer.json()["errors"]}, answer.json()
    assert not Bounty.objects.exists()
    assert not Payment.objects.exists()


@pytest.mark.parametrize("status", [ChallengeStatus.SOLVED, ChallengeStatus.CLOSED])
def test_no_bounty_on_a_challenge_that_is_not_open(
    owner, other_user, client_for, chapa_sandbox, status
):
    challenge = challenge_by(owner)
    type(challenge).objects.filter(pk=challenge.pk).update(status=status)

    answer = client_for(other_user).post(
        "/api/v1/bounties/", {"challenge": challenge.pk, "amount": "100"}, format="json"
    )

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "challenge"
    assert not Bounty.objects.exists()


def test_payments_off_is_a_503_that_says_so_and_nothing_is_stored(
    owner, other_user, client_for, settings
):
    settings.CHAPA_SECRET_KEY = ""
    challenge = challenge_by(owner)

    answer = client_for(other_user).post(
        "/api/v1/bounties/", {"challenge": challenge.pk, "amount": "100"}, format="json"
    )
    sponsoring = client_for(other_user).post(
        "/api/v1/sponsorships/", {"learner": owner.pk, "amount": "100"}, format="json"
    )

    assert (answer.status_code, sponsoring.status_code) == (503, 503)
    assert "Payments are off" in answer.json()["detail"]
    assert answer.json()["code"] == "payments_disabled"
    assert not Bounty.objects.exists()
    assert not Sponsorship.objects.exists()


def test_chapa_refusing_the_checkout_is_a_400_and_nothing_is_stored(
    owner, other_user, client_for, chapa_sandbox
):
    challenge = challenge_by(owner)
    chapa_sandbox.fault("initialize", "400")

    answer = client_for(other_user).post(
        "/api/v1/bounties/", {"challenge": challenge.pk, "amount": "100"}, format="json"
    )

    assert answer.status_code == 400, answer.json()
    assert not Bounty.objects.exists()
    assert not Payment.objects.exists()


def test_anonymous_visitors_cannot_offer(owner, api_client, chapa_sandbox):
    challenge = challenge_by(owner)

    answer = api_client.post(
        "/api/v1/bounties/", {"challenge": challenge.pk, "amount": "100"}, format="json"
    )

    assert answer.status_code in (401, 403)
    assert not Bounty.objects.exists()


def test_the_bounty_list_hides_checkout_links_and_unpaid_offers_from_others(
    owner, other_user, client_for, api_client, chapa_sandbox
):
    challenge = challenge_by(owner)
    paid = paid_bounty(challenge, other_user, "100.00")
    client_for(other_user).post(
        "/api/v1/bounties/", {"challenge": challenge.pk, "amount": "50"}, format="json"
    )

    public = api_client.get(f"/api/v1/bounties/?challenge={challenge.pk}").json()["results"]
    mine = client_for(other_user).get("/api/v1/bounties/?ordering=amount").json()["results"]

    assert [(row["id"], row["checkout_url"], row["tx_ref"]) for row in public] == [
        (paid.pk, None, None)
    ]
    assert [row["amount"] for row in mine] == ["100.00", "50.00"]
    assert all(row["tx_ref"] for row in mine)


@pytest.mark.parametrize("path", ["/api/v1/bounties/", "/api/v1/sponsorships/"])
def test_lists_cost_the_same_queries_whatever_the_page_size(owner, api_client, path):
    challenge = challenge_by(owner)
    for index in range(6):
        sponsor = UserFactory()
        paid_bounty(challenge, sponsor, f"{10 + index}.00")
        _paid_sponsorship(sponsor, owner, public=index % 2 == 0)

    counts = []
    for size in (2, 6):
        with CaptureQueriesContext(connection) as queries:
            answer = api_client.get(f"{path}?page_size={size}")
        assert answer.status_code == 200
        assert len(answer.json()["results"]) == size
        counts.append(len(queries))
    print(f"{path} queries at page sizes 2 and 6: {counts}")
    assert counts[0] == counts[1]


def _paid_sponsorship(sponsor, learner, *, public=True, amount="100.00"):
    from tests.funding.money import pay, payment_for

    sponsorship = Sponsorship.objects.create(
        sponsor=sponsor, learner=learner, amount=Decimal(amount), currency="ETB", public=public
    )
    pay(payment_for("sponsorship", sponsorship))
    sponsorship.refresh_from_db()
    return sponsorship


def test_sponsoring_a_learner_pays_their_credit_and_an_anonymous_sponsor_stays_hidden(
    owner, other_user, client_for, api_client, chapa_sandbox, django_capture_on_commit_callbacks
):
    answer = client_for(other_user).post(
        "/api/v1/sponsorships/",
        {"learner": owner.pk, "amount": "1200", "thank_you": "Keep going!", "public": False},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["checkout_url"].startswith(chapa_sandbox.url)
    assert body["sponsor"]["id"] == other_user.pk  # the sponsor still sees themselves

    chapa_sandbox.pay(body["tx_ref"])
    with django_capture_on_commit_callbacks(execute=True):
        payment_confirm(tx_ref=body["tx_ref"])

    assert Sponsorship.objects.get().status == SponsorshipStatus.ACTIVE
    assert credit_of(owner) == Decimal("1200.00")
    assert credit_of(other_user) == Decimal("0.00")
    listed = api_client.get(f"/api/v1/sponsorships/?learner={owner.pk}").json()["results"]
    assert [(row["sponsor"], row["thank_you"], row["tx_ref"]) for row in listed] == [
        (None, "Keep going!", None)
    ]


def test_sponsoring_yourself_or_two_recipients_is_refused(owner, client_for, chapa_sandbox):
    from nexus.journal.models import Cohort, Program

    program = Program.objects.create(title="Backend", slug="backend")
    cohort = Cohort.objects.create(program=program, name="2027 A", start_date="2027-01-01")

    itself = client_for(owner).post(
        "/api/v1/sponsorships/", {"learner": owner.pk, "amount": "10"}, format="json"
    )
    both = client_for(owner).post(
        "/api/v1/sponsorships/",
        {"learner": UserFactory().pk, "cohort": cohort.pk, "amount": "10"},
        format="json",
    )

    assert itself.status_code == 403
    assert both.status_code == 400
    assert not Sponsorship.objects.exists()


def test_chapas_signed_webhook_opens_the_bounty_it_paid_for(
    owner, other_user, client_for, client, chapa_sandbox, django_capture_on_commit_callbacks
):
    challenge = challenge_by(owner)
    body = (
        client_for(other_user)
        .post("/api/v1/bounties/", {"challenge": challenge.pk, "amount": "80"}, format="json")
        .json()
    )

    chapa_sandbox.pay(body["tx_ref"])
    with django_capture_on_commit_callbacks(execute=True):
        answers = chapa_sandbox.deliver_to(client)

    assert answers
    assert all(answer.status_code < 300 for answer in answers)
    bounty = Bounty.objects.get(pk=body["id"])
    assert bounty.status == BountyStatus.OPEN
    assert bounty.payment.status == "succeeded"
