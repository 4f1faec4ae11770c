"""A bounty's money: held when paid, awarded to the accepted answer's author once, given back to
its sponsor when it expires (as credit, or refunded when Chapa agrees), never lost."""

from datetime import timedelta
from decimal import Decimal

import pytest

from nexus.challenges import services as challenge_services
from nexus.core import clock
from nexus.funding import tasks
from nexus.funding.models import Bounty, BountyStatus, OnExpiry
from nexus.funding.services import bounties, offers
from nexus.notifications.models import Notification
from nexus.payments.ledger import balance, hold_account
from nexus.payments.models import LedgerEntry, PaymentStatus
from nexus.payments.purposes import purpose_of
from nexus.payments.services.charges import payment_confirm
from tests.funding.money import answer, challenge_by, credit_of, paid_bounty, payment_for
from tests.tasks import run_task

pytestmark = pytest.mark.django_db


def _held(bounty: Bounty) -> Decimal:
    return balance(hold_account("bounty", bounty.pk, currency=bounty.currency))


def test_a_paid_bounty_is_held_and_open_until_its_chosen_days_from_the_payment(
    awkward_moment, owner, other_user
):
    challenge = challenge_by(owner)
    bounty = paid_bounty(challenge, other_user, "500.00", days=7)

    assert bounty.status == BountyStatus.OPEN
    assert bounty.expires_at == clock.now() + timedelta(days=7)
    assert _held(bounty) == Decimal("500.00")
    assert credit_of(other_user) == Decimal("0.00")
    assert LedgerEntry.objects.filter(key=f"hold:bounty:{bounty.pk}").count() == 1


def test_a_failed_payment_cancels_the_bounty_and_holds_nothing(owner, other_user):
    challenge = challenge_by(owner)
    bounty = Bounty.objects.create(
        challenge=challenge,
        sponsor=other_user,
        amount=Decimal("100.00"),
        currency="ETB",
        expires_at=clock.now() + timedelta(days=14),
    )
    payment = payment_for("bounty", bounty)
    payment.status = PaymentStatus.CANCELLED
    payment.save()

    purpose_of(payment).on_failed(payment)

    bounty.refresh_from_db()
    assert bounty.status == BountyStatus.CANCELLED
    assert bounty.closed_at is not None
    assert not LedgerEntry.objects.filter(key=f"hold:bounty:{bounty.pk}").exists()


def test_accepting_an_answer_awards_every_open_bounty_to_its_author_and_tells_them(
    owner, other_user, mentor, django_capture_on_commit_callbacks
):
    challenge = challenge_by(owner)
    first = paid_bounty(challenge, other_user, "500.00")
    second = paid_bounty(challenge, owner, "250.50")
    solution = answer(challenge, mentor)

    with django_capture_on_commit_callbacks(execute=True):
        challenge_services.solution_accept(challenge=challenge, solution=solution, actor=owner)

    for bounty in (first, second):
        bounty.refresh_from_db()
        assert bounty.status == BountyStatus.AWARDED
        assert bounty.awarded_to == mentor
        assert bounty.awarded_solution == solution
        assert _held(bounty) == Decimal("0.00")
    assert credit_of(mentor) == Decimal("750.50")

    awarded = Notification.objects.filter(event_name="bounty.awarded")
    assert set(awarded.values_list("recipient_id", flat=True)) == {
        mentor.pk,
        other_user.pk,
        owner.pk,
    }


def test_a_bounty_is_never_awarded_to_its_own_sponsor_it_stays_open(owner, other_user):
    challenge = challenge_by(owner)
    bounty = paid_bounty(challenge, other_user)
    own_answer = answer(challenge, other_user)

    awarded = bounties.bounties_award(
        challenge_id=challenge.pk, solution_id=own_answer.pk, accepted_at=clock.now()
    )

    bounty.refresh_from_db()
    assert awarded == []
    assert bounty.status == BountyStatus.OPEN
    assert _held(bounty) == Decimal("500.00")


def test_the_award_delivered_twice_pays_once(owner, other_user, mentor):
    challenge = challenge_by(owner)
    bounty = paid_bounty(challenge, other_user)
    solution = answer(challenge, mentor)

    for _ in range(2):
        bounties.bounties_award(
            challenge_id=challenge.pk, solution_id=solution.pk, accepted_at=clock.now()
        )

    assert credit_of(mentor) == Decimal("500.00")
    assert LedgerEntry.objects.filter(key=f"award:bounty:{bounty.pk}").count() == 1


def test_taking_the_acceptance_back_leaves_the_award_with_the_winner(
    owner, other_user, mentor, django_capture_on_commit_callbacks
):
    challenge = challenge_by(owner)
    bounty = paid_bounty(challenge, other_user)
    solution = answer(challenge, mentor)
    with django_capture_on_commit_callbacks(execute=True):
        challenge_services.solution_accept(challenge=challenge, solution=solution, actor=owner)

    with django_capture_on_commit_callbacks(execute=True):
        challenge_services.solution_unaccept(challenge=challenge, actor=owner)

    bounty.refresh_from_db()
    assert bounty.status == BountyStatus.AWARDED
    assert credit_of(mentor) == Decimal("500.00")


def test_an_acceptance_after_the_expiry_awards_nothing_and_the_money_is_the_sponsors(
    awkward_moment, owner, other_user, mentor, django_capture_on_commit_callbacks
):
    challenge = challenge_by(owner)
    bounty = paid_bounty(challenge, other_user, "300.00", days=7)
    solution = answer(challenge, mentor)
    awkward_moment.advance(timedelta(days=7, seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        challenge_services.solution_accept(challenge=challenge, solution=solution, actor=owner)

    bounty.refresh_from_db()
    assert bounty.status == BountyStatus.EXPIRED
    assert bounty.awarded_to is None
    assert credit_of(mentor) == Decimal("0.00")
    assert credit_of(other_user) == Decimal("300.00")
    assert _held(bounty) == Decimal("0.00")


def test_the_hourly_job_expires_only_bounties_past_their_day_and_only_once(
    awkward_moment, owner, other_user, mentor, django_capture_on_commit_callbacks
):
    challenge = challenge_by(owner)
    short = paid_bounty(challenge, other_user, "100.00", days=7)
    long = paid_bounty(challenge, mentor, "200.00", days=30)
    awkward_moment.advance(timedelta(days=8))

    with django_capture_on_commit_callbacks(execute=True):
        assert run_task(tasks.expire_due_bounties) == 1
        assert run_task(tasks.expire_due_bounties) == 0

    short.refresh_from_db()
    long.refresh_from_db()
    assert (short.status, long.status) == (BountyStatus.EXPIRED, BountyStatus.OPEN)
    assert credit_of(other_user) == Decimal("100.00")
    assert LedgerEntry.objects.filter(key=f"credit:bounty:{short.pk}").count() == 1

    expired = Notification.objects.filter(event_name="bounty.expired")
    assert list(expired.values_list("recipient_id", flat=True)) == [other_user.pk]


def test_a_refund_chapa_cannot_make_leaves_the_money_as_credit_with_the_reason(
    owner, other_user, settings, django_capture_on_commit_callbacks
):
    settings.CHAPA_BASE_URL = "http://127.0.0.1:9"  # the discard port: nothing answers
    settings.CHAPA_TIMEOUT_SECONDS = 2
    challenge = challenge_by(owner)
    bounty = paid_bounty(challenge, other_user, "400.00", on_expiry=OnExpiry.REFUND)
    Bounty.objects.filter(pk=bounty.pk).update(expires_at=clock.now() - timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        bounties.bounty_expire(bounty_id=bounty.pk)

    bounty.refresh_from_db()
    assert bounty.status == BountyStatus.EXPIRED
    assert bounty.refunded_at is None
    assert "Chapa did not refund it" in bounty.status_reason
    assert "credit" in bounty.status_reason
    assert credit_of(other_user) == Decimal("400.00")
    assert not LedgerEntry.objects.filter(key=f"refund:bounty:{bounty.pk}").exists()


def test_an_expired_bounty_its_sponsor_wanted_refunded_is_refunded_through_chapa_once(
    owner, other_user, chapa_sandbox, django_capture_on_commit_callbacks
):
    challenge = challenge_by(owner)
    bounty = _paid_through_chapa(chapa_sandbox, challenge, other_user)
    Bounty.objects.filter(pk=bounty.pk).update(expires_at=clock.now() - timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        bounties.bounty_expire(bounty_id=bounty.pk)
    run_task(tasks.refund_expired_bounty, bounty.pk)

    bounty.refresh_from_db()
    assert bounty.refunded_at is not None
    assert bounty.status_reason == ""
    assert credit_of(other_user) == Decimal("0.00")
    assert LedgerEntry.objects.filter(key=f"refund:bounty:{bounty.pk}").count() == 1


def test_a_refund_chapa_refuses_leaves_the_money_as_credit_with_chapas_reason(
    owner, other_user, chapa_sandbox, django_capture_on_commit_callbacks
):
    challenge = challenge_by(owner)
    bounty = _paid_through_chapa(chapa_sandbox, challenge, other_user)
    chapa_sandbox.fault("refund", "400")
    Bounty.objects.filter(pk=bounty.pk).update(expires_at=clock.now() - timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        bounties.bounty_expire(bounty_id=bounty.pk)

    bounty.refresh_from_db()
    assert bounty.refunded_at is None
    assert "Chapa did not refund it" in bounty.status_reason
    assert credit_of(other_user) == Decimal("400.00")
    assert not LedgerEntry.objects.filter(key=f"refund:bounty:{bounty.pk}").exists()


def _paid_through_chapa(chapa_sandbox, challenge, sponsor):
    """A 400-birr bounty its sponsor wants refunded, offered and paid through the test Chapa."""
    bounty = offers.bounty_offer(
        sponsor=sponsor, challenge=challenge, amount="400", on_expiry=OnExpiry.REFUND
    )
    chapa_sandbox.pay(bounty.payment.tx_ref)
    payment_confirm(tx_ref=bounty.payment.tx_ref)
    bounty.refresh_from_db()
    assert bounty.status == BountyStatus.OPEN
    return bounty
