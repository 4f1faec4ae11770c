"""Money in: a charge through Chapa's hosted checkout, from start to credit.

`payment_start` asks Chapa for a checkout page; `payment_confirm` asks Chapa what became of it —
never the return redirect or a webhook's word alone — and credits the payer exactly once, in the
same transaction that runs the purpose's on_paid, with the Payment row locked so two confirmations
racing (a webhook and the return page) settle it once. Nothing here holds a database transaction
open across a call to Chapa.
"""

import logging
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from nexus.accounts.models import User
from nexus.core import clock, events
from nexus.core.errors import field_error
from nexus.payments import chapa
from nexus.payments.ledger import clean_amount, ledger_move, system_account, wallet_account
from nexus.payments.models import EntryKind, Payment, PaymentStatus
from nexus.payments.purposes import purpose_of, registered_purposes

logger = logging.getLogger(__name__)

# A verification Chapa could not answer is tried again after 30 s, 1 min, 2 min, ... at most
# every half hour: Chapa gets breathing room, a payer never waits more than that for a credit.
VERIFY_BACKOFF_FIRST = timedelta(seconds=30)
VERIFY_BACKOFF_MAX = timedelta(minutes=30)
# Chapa accepts only these characters in a checkout's title and description.
CHAPA_TEXT_REFUSED = re.compile(r"[^A-Za-z0-9 ._-]")


class PaymentsDisabled(Exception):
    """Payments are switched off on this site: Chapa is not configured."""

    def __init__(self) -> None:
        super().__init__(
            "Payments are off on this site: CHAPA_SECRET_KEY, CHAPA_WEBHOOK_SECRET and "
            "CHAPA_BASE_URL must all be set."
        )


def payments_enabled() -> bool:
    """Whether this site can take payments (Chapa is configured)."""
    return chapa.chapa_configured()


def payment_start(
    *,
    payer: User,
    amount: object,
    currency: str,
    purpose: str,
    purpose_id: object,
    description: str,
) -> Payment:
    """Open a Chapa checkout for `amount`; the returned Payment's checkout_url is where the payer
    goes. Nothing is credited until payment_confirm hears from Chapa that the money arrived."""
    if not payments_enabled():
        raise PaymentsDisabled
    cleaned = clean_amount(amount, currency=currency)
    if purpose not in registered_purposes():
        raise field_error("purpose", f"Nothing called {purpose!r} can be paid for.", "invalid")
    payment = Payment.objects.create(
        tx_ref=f"nx-{secrets.token_hex(12)}",
        payer=payer,
        amount=cleaned,
        currency=currency,
        purpose=purpose,
        purpose_id=str(purpose_id),
        description=description[:200],
        next_verify_at=clock.now() + VERIFY_BACKOFF_FIRST,
    )
    first_name, _, last_name = (payer.display_name or payer.email).partition(" ")
    try:
        checkout = chapa.initialize(
            tx_ref=payment.tx_ref,
            amount=cleaned,
            currency=currency,
            email=payer.email,
            first_name=first_name,
            last_name=last_name,
            callback_url=_absolute(reverse("payments:callback")),
            return_url=_absolute(reverse("payments:return", args=[payment.tx_ref])),
            title=_chapa_text("Nexus")[:16],
            description=_chapa_text(description)[:50] or "Nexus",
        )
    except chapa.ChapaError as error:
        _record_end(payment, PaymentStatus.FAILED, f"Chapa refused the checkout: {error.message}")
        raise ValidationError(
            "Chapa could not open a checkout just now"
            + (", please try again in a minute." if error.retryable else f": {error.message}"),
            code="chapa_unavailable" if error.retryable else "chapa_refused",
        ) from error
    payment.checkout_url = checkout.checkout_url
    payment.save(update_fields=["checkout_url", "updated_at"])
    return payment


def payment_confirm(*, tx_ref: str) -> Payment:
    """Ask Chapa what became of a charge and settle it once: credit it (same amount and
    currency), hold it for review (anything else), end it (failed), or try again later."""
    payment = Payment.objects.get(tx_ref=tx_ref)
    if payment.status != PaymentStatus.PENDING:
        return payment
    try:
        record = chapa.verify(tx_ref)
    except chapa.ChapaError as error:
        return _verify_later(payment, f"Chapa did not answer: {error.message}")
    if record.status == chapa.PENDING:
        return _verify_later(payment, "The payer has not finished the checkout yet.")
    return _settle(payment, record)


def payment_end_if_abandoned(*, payment: Payment) -> Payment:
    """A checkout left pending past PAYMENTS_ABANDON_AFTER_SECONDS: asked about once more, then
    settled if Chapa has news, expired if Chapa says it is still open or never saw it, and left
    for the next run if Chapa does not answer (a late payment is never thrown away)."""
    if payment.status != PaymentStatus.PENDING:
        return payment
    try:
        record = chapa.verify(payment.tx_ref)
    except chapa.ChapaError as error:
        if error.retryable:
            return _verify_later(payment, f"Chapa did not answer: {error.message}")
        return payment_expire(payment=payment)
    if record.status == chapa.PENDING:
        return payment_expire(payment=payment)
    return _settle(payment, record)


def _settle(payment: Payment, record: chapa.Transaction) -> Payment:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != PaymentStatus.PENDING:
            return payment  # a racing confirmation settled it first
        if record.status == chapa.FAILED:
            _fail(payment, PaymentStatus.FAILED, "Chapa says the payment failed or was cancelled.")
        elif record.amount != payment.amount or record.currency != payment.currency:
            _hold_for_review(payment, record)
        else:
            _credit(payment, record)
    return payment


def payment_expire(*, payment: Payment) -> Payment:
    """End a checkout the payer abandoned: status expired, the purpose told; a payment settled
    meanwhile is left as it is."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == PaymentStatus.PENDING:
            _fail(payment, PaymentStatus.EXPIRED, "The checkout was abandoned.")
    return payment


def verify_backoff(attempts: int) -> timedelta:
    """How long to wait before the next verification after `attempts` unanswered ones."""
    delay: timedelta = VERIFY_BACKOFF_FIRST * (2 ** min(attempts, 16))
    return min(delay, VERIFY_BACKOFF_MAX)


def _credit(payment: Payment, record: chapa.Transaction) -> None:
    world = system_account("world", currency=payment.currency)
    ledger_move(
        kind=EntryKind.CHARGE,
        source=world,
        destination=wallet_account(payment.payer, currency=payment.currency),
        amount=payment.amount,
        key=f"charge:{payment.tx_ref}",
        memo=f"Chapa {record.reference}",
        payment=payment,
    )
    if record.charge > 0:
        ledger_move(
            kind=EntryKind.FEE,
            source=world,
            destination=system_account("fees", currency=payment.currency),
            amount=record.charge,
            key=f"fee:{payment.tx_ref}",
            memo=f"Chapa's fee on {payment.tx_ref}",
            payment=payment,
        )
    payment.status = PaymentStatus.SUCCEEDED
    payment.status_reason = ""
    payment.verified_at = clock.now()
    payment.fee = record.charge
    payment.chapa_reference = record.reference[:64]
    payment.next_verify_at = None
    payment.save()
    purpose_of(payment).on_paid(payment)
    events.publish("payment.succeeded", subject=payment, payload=_event_payload(payment))


def _hold_for_review(payment: Payment, record: chapa.Transaction) -> None:
    reason = (
        f"Chapa's record says {record.amount} {record.currency}, "
        f"the checkout asked for {payment.amount} {payment.currency}."
    )
    logger.error("payment %s held for review: %s", payment.tx_ref, reason)
    payment.status = PaymentStatus.MISMATCH
    payment.status_reason = reason
    payment.verified_at = clock.now()
    payment.chapa_reference = record.reference[:64]
    payment.next_verify_at = None
    payment.save()
    events.publish(
        "payment.mismatch",
        subject=payment,
        payload={
            **_event_payload(payment),
            "chapa_amount": str(record.amount),
            "chapa_currency": record.currency,
        },
    )


def _fail(payment: Payment, status: PaymentStatus, reason: str) -> None:
    _record_end(payment, status, reason)
    purpose_of(payment).on_failed(payment)
    events.publish("payment.failed", subject=payment, payload=_event_payload(payment))


def _record_end(payment: Payment, status: PaymentStatus, reason: str) -> None:
    payment.status = status
    payment.status_reason = reason[:300]
    payment.next_verify_at = None
    payment.save(update_fields=["status", "status_reason", "next_verify_at", "updated_at"])


def _verify_later(payment: Payment, reason: str) -> Payment:
    attempts = payment.verify_attempts + 1
    Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
        verify_attempts=attempts,
        next_verify_at=clock.now() + verify_backoff(attempts),
        status_reason=reason[:300],
        updated_at=clock.now(),
    )
    payment.refresh_from_db()
    return payment


def _event_payload(payment: Payment) -> dict[str, object]:
    return {
        "title": f"Payment of {payment.amount} {payment.currency}: {payment.get_status_display()}",
        "url": reverse("payments:return", args=[payment.tx_ref]),
        "recipient_ids": [payment.payer_id],
        "tx_ref": payment.tx_ref,
        "amount": str(payment.amount),
        "currency": payment.currency,
        "purpose": payment.purpose,
        "purpose_id": payment.purpose_id,
    }


def _chapa_text(text: str) -> str:
    return CHAPA_TEXT_REFUSED.sub("", text).strip()


def _absolute(path: str) -> str:
    base: str = settings.NEXUS_BASE_URL
    return base.rstrip("/") + path
