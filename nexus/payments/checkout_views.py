"""The payer's way back from Chapa's checkout, and Chapa's callback ping.

Neither believes what the redirect or the ping says: both only ask payment_confirm, which asks
Chapa itself.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from nexus.core import clock, taskqueue
from nexus.core.htmx import render_page
from nexus.payments.models import Payment, PaymentStatus
from nexus.payments.purposes import purpose_of
from nexus.payments.services.charges import payment_confirm

POLL_SECONDS = 2


@login_required
@require_GET
def payment_return(request: HttpRequest, tx_ref: str) -> HttpResponse:
    """Paid, failed or still waiting, for the payer's own payment; polls while it waits."""
    payment = get_object_or_404(Payment, tx_ref=tx_ref, payer=request.user)
    is_poll = bool(getattr(request, "htmx", False))
    # The first visit asks Chapa once; a poll asks again only when the backoff allows, so a
    # page left open never hammers Chapa (the webhook usually settles it first).
    if payment.status == PaymentStatus.PENDING and (
        not is_poll or payment.next_verify_at is None or payment.next_verify_at <= clock.now()
    ):
        payment = payment_confirm(tx_ref=payment.tx_ref)
    label, next_path = _where_next(payment)
    context = {
        "payment": payment,
        "pending": payment.status == PaymentStatus.PENDING,
        "poll_seconds": POLL_SECONDS,
        "label": label,
        "next_path": next_path,
    }
    return render_page(
        request, "payments/return.html", "payments/partials/return_status.html", context
    )


def _where_next(payment: Payment) -> tuple[str, str]:
    try:
        purpose = purpose_of(payment)
    except KeyError:
        # A receipt outlives the feature that asked for it: still shown, with a way home.
        return payment.description or "your payment", "/"
    return purpose.label(payment), purpose.return_path(payment)


@require_GET
def payment_callback(request: HttpRequest) -> HttpResponse:
    """Chapa's GET ping after a checkout: confirm in a task and answer at once."""
    tx_ref = request.GET.get("trx_ref") or request.GET.get("tx_ref") or ""
    if Payment.objects.filter(tx_ref=tx_ref, status=PaymentStatus.PENDING).exists():
        taskqueue.enqueue("nexus.payments.tasks.confirm_payment", tx_ref)
    return HttpResponse("ok", content_type="text/plain")
