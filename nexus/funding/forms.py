"""Funding's web forms: offer a bounty, sponsor a learner or a cohort, grant from a fund."""

from django import forms

from nexus.core.forms import ServiceForm
from nexus.funding.models import (
    BOUNTY_DAYS,
    BOUNTY_DEFAULT_DAYS,
    THANK_YOU_MAX_CHARS,
    OnExpiry,
    SponsorshipKind,
)
from nexus.payments.models import Currency


class BountyForm(ServiceForm):
    amount = forms.CharField(max_length=40, help_text="For example 500 or 250.50.")
    currency = forms.ChoiceField(choices=Currency.choices, initial=Currency.ETB)
    expires_in_days = forms.TypedChoiceField(
        label="Open for",
        choices=[(days, f"{days} days") for days in BOUNTY_DAYS],
        coerce=int,
        initial=BOUNTY_DEFAULT_DAYS,
    )
    on_expiry = forms.ChoiceField(
        label="If nobody's answer is accepted in time",
        choices=OnExpiry.choices,
        initial=OnExpiry.CREDIT,
        widget=forms.RadioSelect,
    )


class SponsorForm(ServiceForm):
    kind = forms.ChoiceField(choices=SponsorshipKind.choices, initial=SponsorshipKind.GRANT)
    amount = forms.CharField(max_length=40, help_text="For example 1500 or 99.50.")
    currency = forms.ChoiceField(choices=Currency.choices, initial=Currency.ETB)
    thank_you = forms.CharField(
        label="A message (shown publicly)",
        max_length=THANK_YOU_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    public = forms.BooleanField(
        label="Show my name (otherwise “A sponsor”)", required=False, initial=True
    )


class CohortGrantForm(ServiceForm):
    learner = forms.TypedChoiceField(coerce=int, choices=[])
    amount = forms.CharField(max_length=40)
    currency = forms.ChoiceField(choices=Currency.choices, initial=Currency.ETB)
    note = forms.CharField(max_length=200, required=False)
