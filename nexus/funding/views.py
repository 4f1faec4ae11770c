"""Funding's pages: the offer forms (which send the payer on to Chapa's checkout), a sponsor's
own bounties and sponsorships, and the grants page of a cohort's fund."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from nexus.accounts.models import User
from nexus.challenges import selectors as challenge_selectors
from nexus.core.auth import authenticated_user
from nexus.funding import policies, selectors
from nexus.funding.forms import BountyForm, CohortGrantForm, SponsorForm
from nexus.funding.services import offers, sponsorships
from nexus.journal import selectors as journal_selectors
from nexus.journal.models import Cohort
from nexus.payments.services.charges import PaymentsDisabled


@login_required
def my_funding(request: HttpRequest) -> HttpResponse:
    """The signed-in user's bounties and sponsorships and where each stands."""
    bounties, sponsored = selectors.funding_of(sponsor=authenticated_user(request))
    return render(
        request,
        "funding/mine.html",
        {"bounties": bounties[:100], "sponsorships": sponsored[:100]},
    )


def _offer(
    request: HttpRequest, form: Any, service: Any, context: dict[str, Any], **kwargs: Any
) -> HttpResponse:
    """Call an offer service with a valid form; on to the checkout, or the form again with its
    errors next to the fields (payments off: 503 with the reason)."""
    status = 400
    if form.is_valid():
        try:
            row = form.call_service(
                service, sponsor=authenticated_user(request), **kwargs, **form.cleaned_data
            )
        except PaymentsDisabled as off:
            form.add_error(None, str(off))
            row, status = None, 503
        if row is not None:
            return redirect(row.payment.checkout_url)
    return render(request, "funding/offer.html", {"form": form, **context}, status=status)


@login_required
@require_POST
def bounty_offer(request: HttpRequest, challenge_id: int) -> HttpResponse:
    """Offer a bounty on a challenge and go pay it."""
    challenge = challenge_selectors.challenge_get(pk=challenge_id)
    if challenge is None:
        raise Http404
    context = {"title": f"Offer a bounty on “{challenge.title}”", "back": challenge}
    return _offer(
        request, BountyForm(request.POST), offers.bounty_offer, context, challenge=challenge
    )


@login_required
@require_POST
def sponsor_learner(request: HttpRequest, user_id: int) -> HttpResponse:
    """Sponsor a learner and go pay it."""
    learner = get_object_or_404(User, pk=user_id, is_active=True)
    if not policies.can_sponsor_learner(request.user, learner):
        raise PermissionDenied(offers.CANNOT_SPONSOR)
    context = {"title": f"Sponsor {learner.display_name}", "back": None}
    return _offer(
        request, SponsorForm(request.POST), offers.sponsorship_offer, context, learner=learner
    )


@login_required
@require_POST
def sponsor_cohort(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Pay into a cohort's fund."""
    cohort = get_object_or_404(Cohort, pk=cohort_id)
    if not policies.can_sponsor_cohort(request.user, cohort):
        raise PermissionDenied(offers.CANNOT_SPONSOR)
    context = {"title": f"Sponsor the cohort {cohort.name}", "back": None}
    return _offer(
        request, SponsorForm(request.POST), offers.sponsorship_offer, context, cohort=cohort
    )


@login_required
def cohort_grants(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """A cohort's fund: what it holds, its grants, and (mentors, admins) a form to grant."""
    cohort = get_object_or_404(Cohort, pk=cohort_id)
    actor = authenticated_user(request)
    if not policies.can_grant_from_cohort_fund(actor, cohort):
        raise Http404
    members = journal_selectors.cohort_members(cohort=cohort)
    form = CohortGrantForm(request.POST or None)
    learner_field = form.fields["learner"]
    assert isinstance(learner_field, forms.TypedChoiceField)
    learner_field.choices = [(m.learner_id, m.learner.display_name) for m in members]
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            learner = get_object_or_404(User, pk=form.cleaned_data.pop("learner"))
            grant = form.call_service(
                sponsorships.cohort_grant_create,
                actor=actor,
                cohort=cohort,
                learner=learner,
                **form.cleaned_data,
            )
            if grant is not None:
                messages.success(request, f"{learner.display_name} was granted {grant.amount}.")
                return redirect("funding:cohort_grants", cohort_id=cohort.pk)
    context = {
        "cohort": cohort,
        "form": form,
        "fund": selectors.cohort_fund_balances(cohort=cohort),
        "grants": selectors.cohort_grants(cohort=cohort)[:100],
    }
    return render(request, "funding/cohort_grants.html", context, status=status)
