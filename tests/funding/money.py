"""Bounties and sponsorships paid as payments' charges would pay them: a succeeded Payment, the
charge posted to the payer's credit, then the purpose's on_paid, all in one transaction."""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from nexus.accounts.models import User
from nexus.challenges import services as challenge_services
from nexus.challenges.models import Challenge, Solution
from nexus.core import clock
from nexus.funding.models import Bounty, OnExpiry, Sponsorship
from nexus.payments.ledger import balance, ledger_move, system_account, wallet_account
from nexus.payments.models import EntryKind, Payment, PaymentStatus
from nexus.payments.purposes import purpose_of


def challenge_by(author: User, title: str = "Checker rejects my project") -> Challenge:
    return challenge_services.challenge_create(
        author=author, title=title, body="It runs locally but the checker says exit 1."
    )


def answer(challenge: Challenge, author: User) -> Solution:
    return challenge_services.solution_create(
        challenge=challenge, author=author, body="Pin the interpreter version in the checker."
    )


def pay(payment: Payment) -> Payment:
    """What payment_confirm does once Chapa says the charge succeeded."""
    with transaction.atomic():
        payment.status = PaymentStatus.SUCCEEDED
        payment.verified_at = clock.now()
        payment.save()
        ledger_move(
            kind=EntryKind.CHARGE,
            source=system_account("world", currency=payment.currency),
            destination=wallet_account(payment.payer, currency=payment.currency),
            amount=payment.amount,
            key=f"charge:{payment.tx_ref}",
            payment=payment,
        )
        purpose_of(payment).on_paid(payment)
    return payment


def payment_for(purpose: str, row: Bounty | Sponsorship) -> Payment:
    payment = Payment.objects.create(
        tx_ref=f"nx-{secrets.token_hex(8)}",
        payer=row.sponsor,
        amount=row.amount,
        currency=row.currency,
        purpose=purpose,
        purpose_id=str(row.pk),
        checkout_url="https://checkout.example/pay",
    )
    row.payment = payment
    row.save(update_fields=["payment"])
    return payment


def paid_bounty(
    challenge: Challenge,
    sponsor: User,
    amount: str = "500.00",
    *,
    currency: str = "ETB",
    days: int = 14,
    on_expiry: str = OnExpiry.CREDIT,
) -> Bounty:
    bounty = Bounty.objects.create(
        challenge=challenge,
        sponsor=sponsor,
        amount=Decimal(amount),
        currency=currency,
        duration_days=days,
        expires_at=clock.now() + timedelta(days=days),
        on_expiry=on_expiry,
    )
    pay(payment_for("bounty", bounty))
    bounty.refresh_from_db()
    return bounty


def credit_of(user: User, currency: str = "ETB") -> Decimal:
    return balance(wallet_account(user, currency=currency))
