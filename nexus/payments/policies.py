"""Who may do what with money; the services call these and raise, front doors show or hide."""

from nexus.accounts.models import User, Viewer
from nexus.accounts.policies import is_signed_in
from nexus.payments.models import Payout


def can_pay(actor: Viewer) -> bool:
    """Anyone signed in may pay for something (a bounty, a sponsorship)."""
    return is_signed_in(actor) and actor.is_active


def can_manage_payout_method(actor: Viewer, user: User) -> bool:
    """Where a user's money goes is set by that user alone, never by an admin for them."""
    return is_signed_in(actor) and actor.pk == user.pk


def can_request_payout(actor: Viewer, user: User) -> bool:
    """A user asks to be paid their own credit."""
    return is_signed_in(actor) and actor.pk == user.pk


def can_decide_payout(actor: Viewer, payout: Payout) -> bool:
    """Admins approve or reject big payouts, but never their own."""
    return is_signed_in(actor) and actor.is_admin and actor.pk != payout.user_id


def can_see_payment_reports(actor: Viewer) -> bool:
    """The monthly reports and the approval queue are for admins."""
    return is_signed_in(actor) and actor.is_admin
