"""Funding's pages: a sponsor's bounties and sponsorships, the bounty and sponsor forms."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nexus.core.auth import authenticated_user
from nexus.funding import selectors


@login_required
def my_funding(request: HttpRequest) -> HttpResponse:
    """The signed-in user's bounties and sponsorships and where each stands."""
    bounties, sponsorships = selectors.funding_of(sponsor=authenticated_user(request))
    return render(
        request,
        "funding/mine.html",
        {"bounties": bounties[:100], "sponsorships": sponsorships[:100]},
    )
