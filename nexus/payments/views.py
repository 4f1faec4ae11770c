"""Web pages of money: a user's payments page and payout method, the admins' approval queue and
monthly report (with its CSV)."""

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST

from nexus.core import clock
from nexus.core.auth import authenticated_user
from nexus.core.months import parse_month
from nexus.payments import chapa, policies, selectors
from nexus.payments.forms import PayoutMethodForm, PayoutRejectForm, PayoutRequestForm
from nexus.payments.models import LedgerEntry, Payout, PayoutMethod
from nexus.payments.services import payouts as services
from nexus.payments.services.charges import payments_enabled

PAGE_SIZE = 20
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@login_required
def payments_home(request: HttpRequest) -> HttpResponse:
    """What the user paid, received and has pending, their credit, and their payouts."""
    user = authenticated_user(request)
    return render(request, "payments/home.html", _home_context(request, user, PayoutRequestForm()))


@login_required
@require_POST
def payout_request(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    form = PayoutRequestForm(request.POST)
    if form.is_valid() and form.save(user=user) is not None:
        return redirect("payments:home")
    return render(request, "payments/home.html", _home_context(request, user, form), status=400)


@login_required
def payout_method(request: HttpRequest) -> HttpResponse:
    """Where the user's payouts go; the number is shown back masked."""
    user = authenticated_user(request)
    try:
        banks = selectors.payout_banks()
        unavailable = ""
    except chapa.ChapaError:
        banks, unavailable = [], "Chapa's list of banks cannot be fetched right now; try later."
    current = PayoutMethod.objects.filter(user=user).first()
    form = PayoutMethodForm(request.POST or None, banks=banks)
    if request.method == "POST" and form.is_valid() and form.save(actor=user) is not None:
        return redirect("payments:home")
    context = {"form": form, "current": current, "unavailable": unavailable}
    status = 400 if request.method == "POST" else 200
    return render(request, "payments/payout_method.html", context, status=status)


@login_required
def admin_home(request: HttpRequest) -> HttpResponse:
    """Admins: payouts waiting for approval, and one month's totals by kind and currency."""
    _require_admin(request)
    month = _month_or_404(request.GET.get("month") or clock.today().strftime("%Y-%m"))
    context = {
        "awaiting": selectors.payouts_awaiting_approval()[:100],
        "month": month,
        "totals": selectors.month_totals(month),
        "reject_form": PayoutRejectForm(),
    }
    return render(request, "payments/admin.html", context)


@login_required
@require_POST
def admin_approve(request: HttpRequest, payout_id: int) -> HttpResponse:
    _require_admin(request)
    payout = get_object_or_404(Payout, pk=payout_id)
    payout = services.payout_approve(payout=payout, actor=authenticated_user(request))
    return _decided(request, payout, PayoutRejectForm())


@login_required
@require_POST
def admin_reject(request: HttpRequest, payout_id: int) -> HttpResponse:
    _require_admin(request)
    payout = get_object_or_404(Payout, pk=payout_id)
    form = PayoutRejectForm(request.POST)
    if form.is_valid():
        form.save(payout=payout, actor=authenticated_user(request))
    response = _decided(request, Payout.objects.get(pk=payout.pk), form)
    response.status_code = 200 if not form.errors else 400
    return response


@login_required
def admin_report_csv(request: HttpRequest, month: str) -> StreamingHttpResponse:
    """One row per movement of the month, then its totals; streamed, formula-safe."""
    _require_admin(request)
    first_day = _month_or_404(month)
    response = StreamingHttpResponse(_report_lines(first_day), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="nexus-payments-{month}.csv"'
    return response


def _home_context(request: HttpRequest, user: Any, form: PayoutRequestForm) -> dict[str, Any]:
    payments = Paginator(selectors.payments_of(user), PAGE_SIZE).get_page(request.GET.get("page"))
    for payment in payments.object_list:
        payment.purpose_label = selectors.purpose_label(payment)  # type: ignore[attr-defined]
    payouts = Paginator(selectors.payouts_of(user), PAGE_SIZE).get_page(
        request.GET.get("payouts_page")
    )
    return {
        "enabled": payments_enabled(),
        "balances": sorted(selectors.balances(user).items()),
        "payments": payments,
        "received": selectors.received_by(user)[:PAGE_SIZE],
        "pending": selectors.pending_for(user),
        "payouts": payouts,
        "method": PayoutMethod.objects.filter(user=user).first(),
        "form": form,
    }


def _decided(request: HttpRequest, payout: Payout, form: PayoutRejectForm) -> HttpResponse:
    context = {"payout": payout, "reject_form": form}
    if getattr(request, "htmx", False):
        return render(request, "payments/partials/awaiting_row.html", context)
    return redirect("payments:admin")


def _require_admin(request: HttpRequest) -> None:
    if not policies.can_see_payment_reports(authenticated_user(request)):
        raise PermissionDenied


def _month_or_404(text: str) -> Any:
    try:
        return parse_month(text)
    except ValueError:
        raise Http404("No such month.") from None


class _Line:
    """csv.writer writes to this and gets the line back, so each row streams as it is made."""

    def write(self, value: str) -> str:
        return value


def _report_lines(month: Any) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(["date", "kind", "amount", "currency", "from", "to", "reference", "user"])
    for entry in selectors.iterate(selectors.month_entries(month)):
        yield writer.writerow([_safe(cell) for cell in _report_row(entry)])
    for kind, currency, total, count in selectors.month_totals(month):
        yield writer.writerow(
            ["total", _safe(kind), total, currency, "", "", f"{count} movements", ""]
        )


def _report_row(entry: LedgerEntry) -> list[object]:
    person = entry.destination.user or entry.source.user
    reference = (
        entry.payment.tx_ref if entry.payment else entry.payout.reference if entry.payout else ""
    )
    return [
        localtime(entry.created_at).isoformat(timespec="seconds"),
        entry.kind,
        entry.amount,
        entry.currency,
        entry.source.code,
        entry.destination.code,
        reference,
        person.display_name if person else "",
    ]


def _safe(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula is made plain text with a quote."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell
