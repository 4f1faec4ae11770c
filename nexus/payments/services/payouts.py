"""Payouts: a user's credit to their bank or mobile money through Chapa's transfer API.

The money leaves the wallet the moment a payout is asked for (wallet → payout:<id>), so it cannot
be spent twice while the transfer is on its way; it reaches the world only when Chapa says the
transfer succeeded, and goes back to the wallet when it is refused, rejected or keeps failing.
Every status change happens under the payout's row lock and every movement has its own key, so a
webhook delivered twice, or a poll racing a webhook, changes nothing the second time. Chapa is
called outside any transaction: a slow answer holds no lock.
"""

import logging
import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from nexus.accounts.models import User
from nexus.core import clock, events, taskqueue
from nexus.core.errors import field_error
from nexus.payments import chapa, policies, selectors
from nexus.payments.ledger import (
    InsufficientFunds,
    clean_amount,
    ledger_move,
    payout_account,
    system_account,
    wallet_account,
)
from nexus.payments.models import (
    ChapaEvent,
    EntryKind,
    Payout,
    PayoutMethod,
    PayoutMethodKind,
    PayoutStatus,
)
from nexus.payments.services.charges import PaymentsDisabled, payments_enabled

logger = logging.getLogger(__name__)

# Statuses a payout never leaves: its money has reached the world or come back.
FINAL = (PayoutStatus.PAID, PayoutStatus.RETURNED, PayoutStatus.REJECTED)
ACCOUNT_NUMBER = re.compile(r"\d{6,20}")
# A queued payout not sent by now lost its task; one sending this long is asked about.
LOST_SEND = timedelta(minutes=2)
POLL_AFTER = timedelta(minutes=1)


def payout_method_set(
    *, actor: User, bank_code: str, account_name: str, account_number: str
) -> PayoutMethod:
    """Where the actor's payouts go: a bank or mobile-money provider Chapa lists, and an account."""
    if not policies.can_manage_payout_method(actor, actor):
        raise PermissionDenied("Sign in to set where your payouts go.")
    bank = selectors.payout_bank(bank_code)
    if bank is None:
        raise field_error("bank_code", "Choose a bank or mobile money provider from the list.")
    account_name = " ".join(account_name.split())
    if not account_name:
        raise field_error("account_name", "Enter the name on the account.", "required")
    if len(account_name) > 120:
        raise field_error("account_name", "Use at most 120 characters.", "max_length")
    account_number = re.sub(r"[\s-]", "", account_number)
    if not ACCOUNT_NUMBER.fullmatch(account_number):
        raise field_error(
            "account_number", "Enter the account or phone number: 6 to 20 digits.", "invalid"
        )
    kind = PayoutMethodKind.MOBILE_MONEY if bank.is_mobile_money else PayoutMethodKind.BANK
    method, _ = PayoutMethod.objects.update_or_create(
        user=actor,
        defaults={
            "kind": kind,
            "bank_code": str(bank.id),
            "bank_name": bank.name[:120],
            "account_name": account_name,
            "account_number": account_number,
        },
    )
    return method


def payout_request(*, user: User, amount: object, currency: str) -> Payout:
    """Take `amount` from the user's credit towards their payout method; small payouts are sent
    at once, bigger ones wait for an admin."""
    if not policies.can_request_payout(user, user):
        raise PermissionDenied("Sign in to ask for a payout.")
    if not payments_enabled():
        raise ValidationError(str(PaymentsDisabled()), code="payments_disabled")
    value = clean_amount(amount, currency=currency)
    method = PayoutMethod.objects.filter(user=user).first()
    if method is None:
        raise field_error(
            "payout_method", "Say where your money goes first (Payout method).", "required"
        )
    needs_approval = value > settings.PAYMENTS_PAYOUT_APPROVAL_ABOVE
    with transaction.atomic():
        payout = Payout.objects.create(
            reference=f"po-{uuid.uuid4().hex}",
            user=user,
            amount=value,
            currency=currency,
            status=PayoutStatus.AWAITING_APPROVAL if needs_approval else PayoutStatus.QUEUED,
            bank_code=method.bank_code,
            account_name=method.account_name,
            account_number=method.account_number,
        )
        try:
            ledger_move(
                kind=EntryKind.PAYOUT,
                source=wallet_account(user, currency=currency),
                destination=payout_account(payout),
                amount=value,
                key=f"payout:{payout.pk}",
                memo=f"Payout {payout.reference}",
                payout=payout,
            )
        except InsufficientFunds as short:
            raise field_error(
                "amount", f"You have {short.available} {currency}.", "max_value"
            ) from None
        if not needs_approval:
            taskqueue.enqueue_on_commit("nexus.payments.tasks.send_payout", payout.pk)
    return payout


def payout_approve(*, payout: Payout, actor: User) -> Payout:
    """An admin lets a payout above the approval amount go; approving twice changes nothing."""
    if not policies.can_decide_payout(actor, payout):
        raise PermissionDenied("Only an admin other than the payee approves payouts.")
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if payout.approved_by_id is not None and payout.status != PayoutStatus.REJECTED:
            return payout
        if payout.status != PayoutStatus.AWAITING_APPROVAL:
            raise field_error("status", f"This payout is {payout.get_status_display().lower()}.")
        payout.status = PayoutStatus.QUEUED
        payout.approved_by = actor
        payout.approved_at = clock.now()
        payout.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        taskqueue.enqueue_on_commit("nexus.payments.tasks.send_payout", payout.pk)
    return payout


def payout_reject(*, payout: Payout, actor: User, reason: str) -> Payout:
    """An admin refuses a payout waiting for approval; its money goes back to the user's credit."""
    if not policies.can_decide_payout(actor, payout):
        raise PermissionDenied("Only an admin other than the payee rejects payouts.")
    reason = " ".join(reason.split())
    if not reason:
        raise field_error("reason", "Say why, for the person asking.", "required")
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if payout.status == PayoutStatus.REJECTED:
            return payout
        if payout.status != PayoutStatus.AWAITING_APPROVAL:
            raise field_error("status", f"This payout is {payout.get_status_display().lower()}.")
        payout.approved_by = actor
        payout.approved_at = clock.now()
        payout.save(update_fields=["approved_by", "approved_at", "updated_at"])
        _return(payout, PayoutStatus.REJECTED, f"Rejected: {reason}")
    return payout


def payout_send(*, payout_id: int) -> Payout:
    """Hand a queued (or due retrying) payout to Chapa's transfer API once."""
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout_id)
        due = payout.next_attempt_at is None or payout.next_attempt_at <= clock.now()
        if payout.status not in (PayoutStatus.QUEUED, PayoutStatus.RETRYING) or not due:
            return payout
        payout.attempts += 1
        payout.status = PayoutStatus.SENDING
        payout.next_attempt_at = None
        payout.save(update_fields=["attempts", "status", "next_attempt_at", "updated_at"])
    # After a timeout Chapa may have taken the transfer after all: ask before sending it again.
    if payout.attempts > 1 and _settled_by_chapa(payout):
        return Payout.objects.get(pk=payout.pk)
    try:
        transfer = chapa.transfer(
            reference=payout.reference,
            amount=payout.amount,
            currency=payout.currency,
            bank_code=payout.bank_code,
            account_name=payout.account_name,
            account_number=payout.account_number,
        )
    except chapa.ChapaError as error:
        return _failed_attempt(payout, error.message, retryable=error.retryable)
    if transfer.status == "failed":
        return _failed_attempt(payout, "Chapa refused the transfer.", retryable=False)
    if transfer.status == "success":
        return payout_settle(payout=payout, succeeded=True)
    return payout


def payout_check(*, payout_id: int) -> Payout:
    """Ask Chapa how a transfer on its way went (the webhook may never come)."""
    payout = Payout.objects.get(pk=payout_id)
    if payout.status == PayoutStatus.SENDING:
        _settled_by_chapa(payout)
    return Payout.objects.get(pk=payout_id)


def payouts_advance() -> int:
    """Periodic: send payouts whose retry is due or whose send was lost, and poll those on their
    way; returns how many it looked at."""
    now = clock.now()
    due = list(
        Payout.objects.filter(
            Q(status=PayoutStatus.RETRYING, next_attempt_at__lte=now)
            | Q(status=PayoutStatus.QUEUED, updated_at__lte=now - LOST_SEND)
        ).values_list("pk", flat=True)
    )
    sending = list(
        Payout.objects.filter(
            status=PayoutStatus.SENDING, updated_at__lte=now - POLL_AFTER
        ).values_list("pk", flat=True)
    )
    for payout_id in due:
        payout_send(payout_id=payout_id)
    for payout_id in sending:
        payout_check(payout_id=payout_id)
    return len(due) + len(sending)


def payout_settle(*, payout: Payout, succeeded: bool, reason: str = "") -> Payout:
    """What Chapa finally said about a transfer: the money reaches the world, or comes back."""
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if payout.status in FINAL:
            if succeeded and payout.status != PayoutStatus.PAID:
                # The money was given back already and Chapa says it left: a human must look.
                logger.error("Payout %s succeeded after it was %s", payout.reference, payout.status)
            return payout
        if not succeeded:
            _return(payout, PayoutStatus.RETURNED, reason or "The transfer failed.")
            return payout
        ledger_move(
            kind=EntryKind.PAYOUT_SENT,
            source=payout_account(payout),
            destination=system_account("world", currency=payout.currency),
            amount=payout.amount,
            key=f"payout_sent:{payout.pk}",
            memo=f"Payout {payout.reference} sent",
            payout=payout,
        )
        payout.status = PayoutStatus.PAID
        payout.paid_at = clock.now()
        payout.status_reason = ""
        payout.save(update_fields=["status", "paid_at", "status_reason", "updated_at"])
        _announce("payout.paid", payout)
    return payout


def payout_event_handle(event: ChapaEvent) -> str:
    """The "payout." webhooks Chapa signs: payout.success pays, payout.failed / reversed return."""
    reference = event.reference or str(event.payload.get("reference", ""))
    payout = Payout.objects.filter(reference=reference).first()
    if payout is None:
        return f"no payout {reference[:64]}"
    if event.event == "payout.success":
        payout = payout_settle(payout=payout, succeeded=True)
    elif event.event in ("payout.failed", "payout.reversed"):
        message = str(event.payload.get("message") or "Chapa could not make the transfer.")
        payout = payout_settle(payout=payout, succeeded=False, reason=message[:250])
    else:
        return f"ignored {event.event[:40]}"
    return f"payout {payout.reference} {payout.status}"


def _settled_by_chapa(payout: Payout) -> bool:
    """Settle a payout by Chapa's own record of its transfer; False when it has none or says
    it is still pending."""
    try:
        transfer = chapa.verify_transfer(payout.reference)
    except chapa.ChapaError:
        return False
    if transfer.status == "success":
        payout_settle(payout=payout, succeeded=True)
        return True
    if transfer.status == "failed":
        payout_settle(payout=payout, succeeded=False, reason="Chapa reports the transfer failed.")
        return True
    return False


def _failed_attempt(payout: Payout, message: str, *, retryable: bool) -> Payout:
    if not retryable or payout.attempts >= settings.PAYMENTS_PAYOUT_MAX_ATTEMPTS:
        tries = "" if not retryable else f" after {payout.attempts} attempts"
        return payout_settle(payout=payout, succeeded=False, reason=f"{message[:200]}{tries}")
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if payout.status != PayoutStatus.SENDING:
            return payout
        wait = settings.PAYMENTS_PAYOUT_RETRY_SECONDS * 2 ** (payout.attempts - 1)
        payout.status = PayoutStatus.RETRYING
        payout.status_reason = message[:300]
        payout.next_attempt_at = clock.now() + timedelta(seconds=wait)
        payout.save(update_fields=["status", "status_reason", "next_attempt_at", "updated_at"])
    return payout


def _return(payout: Payout, status: PayoutStatus, reason: str) -> None:
    """Give a locked payout's money back to the user's credit (inside the caller's transaction)."""
    ledger_move(
        kind=EntryKind.PAYOUT_RETURNED,
        source=payout_account(payout),
        destination=wallet_account(payout.user, currency=payout.currency),
        amount=payout.amount,
        key=f"payout_returned:{payout.pk}",
        memo=f"Payout {payout.reference} returned",
        payout=payout,
    )
    payout.status = status
    payout.status_reason = reason[:300]
    payout.next_attempt_at = None
    payout.save(update_fields=["status", "status_reason", "next_attempt_at", "updated_at"])
    _announce("payout.returned", payout)


def _announce(name: str, payout: Payout) -> None:
    """The e-mail the payee gets: what, how much, the reference and the date."""
    verb = "sent to your account" if name == "payout.paid" else "returned to your credit"
    when = clock.now().strftime("%d %b %Y")
    title = f"Payout of {payout.amount} {payout.currency} {verb} ({payout.reference}, {when})"
    if payout.status_reason:
        title = f"{title}: {payout.status_reason}"
    events.publish(
        name,
        subject=payout,
        payload={
            "title": title[:300],
            "url": "/payments/",
            "recipient_ids": [payout.user_id],
            "reference": payout.reference,
            "amount": str(payout.amount),
            "currency": payout.currency,
        },
    )
