"""Funding's pieces on other apps' pages: a challenge's bounties (and the offer form), the
"Sponsored by" lists of a learner's profile and a cohort's page (with the sponsor form)."""

from typing import Any

from django import template
from django.urls import reverse

from nexus.accounts.models import User
from nexus.challenges.models import Challenge, ChallengeStatus
from nexus.funding import policies, selectors
from nexus.funding.forms import BountyForm, SponsorForm
from nexus.journal.models import Cohort

register = template.Library()


@register.inclusion_tag("funding/partials/challenge_bounties.html", takes_context=True)
def challenge_bounties(context: dict[str, Any], challenge: Challenge) -> dict[str, Any]:
    """The open bounties of a challenge, their total, and the offer form for signed-in users."""
    user = context["request"].user
    return {
        "challenge": challenge,
        "bounties": list(selectors.open_bounties(challenge_id=challenge.pk)),
        "totals": selectors.open_bounty_totals(challenge_id=challenge.pk),
        "may_offer": policies.can_offer_bounty(user, challenge)
        and challenge.status == ChallengeStatus.OPEN,
        "form": BountyForm(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("funding/partials/sponsors.html", takes_context=True)
def learner_sponsors(context: dict[str, Any], learner: User) -> dict[str, Any]:
    """A learner's public thank-you list and, for others signed in, the sponsor form."""
    user = context["request"].user
    return {
        "sponsorships": list(selectors.thank_yous_for_learner(learner=learner)[:50]),
        "may_sponsor": policies.can_sponsor_learner(user, learner),
        "action": reverse("funding:sponsor_learner", args=[learner.pk]),
        "form": SponsorForm(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("funding/partials/sponsors.html", takes_context=True)
def cohort_sponsors(context: dict[str, Any], cohort: Cohort) -> dict[str, Any]:
    """A cohort's thank-you list, its fund, and the sponsor form."""
    user = context["request"].user
    return {
        "sponsorships": list(selectors.thank_yous_for_cohort(cohort=cohort)[:50]),
        "may_sponsor": policies.can_sponsor_cohort(user, cohort),
        "action": reverse("funding:sponsor_cohort", args=[cohort.pk]),
        "form": SponsorForm(),
        "fund": selectors.cohort_fund_balances(cohort=cohort),
        "may_grant": policies.can_grant_from_cohort_fund(user, cohort),
        "grant_url": reverse("funding:cohort_grants", args=[cohort.pk]),
        "csrf_token": context.get("csrf_token"),
    }
