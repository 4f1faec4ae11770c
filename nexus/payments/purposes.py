"""What a payment is for. Features register a purpose at start-up (funding: "bounty",
"sponsorship"); payments calls it when a charge is verified, in the same transaction that credits
the ledger, so the money and what it buys commit together or not at all.

payments imports no feature app: it only knows purposes by name.
"""

from collections.abc import Callable
from dataclasses import dataclass

from nexus.payments.models import Payment


@dataclass(frozen=True)
class Purpose:
    name: str
    # Called once, inside the transaction that posted the charge to the payer's wallet: moves the
    # money on (to a hold, a grant) and marks the feature's own row paid.
    on_paid: Callable[[Payment], None]
    # Called once when the payment ends without money (failed, cancelled, abandoned).
    on_failed: Callable[[Payment], None]
    # Where the payer lands after the checkout (a path on this site) and what the receipt says.
    return_path: Callable[[Payment], str]
    label: Callable[[Payment], str]


_purposes: dict[str, Purpose] = {}


def register_purpose(purpose: Purpose) -> None:
    """Make a purpose known to payments (call it from the feature's AppConfig.ready)."""
    _purposes[purpose.name] = purpose


def purpose_of(payment: Payment) -> Purpose:
    """The registered purpose of a payment (KeyError for a name nobody registered)."""
    return _purposes[payment.purpose]


def registered_purposes() -> list[str]:
    return sorted(_purposes)
