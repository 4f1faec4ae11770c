"""The payment purposes funding registers with payments (imported from FundingConfig.ready):
payments calls them when a charge is verified or ends without money."""

from django.urls import reverse

from nexus.funding.models import Bounty
from nexus.funding.services import bounties, sponsorships
from nexus.payments.models import Payment
from nexus.payments.purposes import Purpose, register_purpose


def _bounty_return_path(payment: Payment) -> str:
    bounty = Bounty.objects.filter(pk=int(payment.purpose_id)).only("challenge_id").first()
    if bounty is None:
        return reverse("funding:mine")
    return reverse("challenges:detail", args=[bounty.challenge_id])


def _bounty_label(payment: Payment) -> str:
    # The words written when the payment started: a list labels every row without a query.
    return payment.description or f"Bounty {payment.purpose_id}"


def _sponsorship_return_path(payment: Payment) -> str:
    return reverse("funding:mine")


def _sponsorship_label(payment: Payment) -> str:
    return payment.description or f"Sponsorship {payment.purpose_id}"


def _bounty_paid(payment: Payment) -> None:
    bounties.bounty_paid(payment=payment)


def _bounty_failed(payment: Payment) -> None:
    bounties.bounty_payment_failed(payment=payment)


def _sponsorship_paid(payment: Payment) -> None:
    sponsorships.sponsorship_paid(payment=payment)


def _sponsorship_failed(payment: Payment) -> None:
    sponsorships.sponsorship_payment_failed(payment=payment)


BOUNTY = Purpose(
    name="bounty",
    on_paid=_bounty_paid,
    on_failed=_bounty_failed,
    return_path=_bounty_return_path,
    label=_bounty_label,
)
SPONSORSHIP = Purpose(
    name="sponsorship",
    on_paid=_sponsorship_paid,
    on_failed=_sponsorship_failed,
    return_path=_sponsorship_return_path,
    label=_sponsorship_label,
)
register_purpose(BOUNTY)
register_purpose(SPONSORSHIP)
