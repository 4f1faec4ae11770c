"""Web forms of payments: where payouts go, a payout request, an admin's rejection."""

from typing import Any

from django import forms

from nexus.accounts.models import User
from nexus.core.forms import ServiceForm
from nexus.payments import chapa
from nexus.payments.models import Currency, Payout, PayoutMethod
from nexus.payments.services import payouts as services


class PayoutMethodForm(ServiceForm):
    bank_code = forms.ChoiceField(label="Bank or mobile money")
    account_name = forms.CharField(label="Name on the account", max_length=120)
    account_number = forms.CharField(
        label="Account or phone number", max_length=40, help_text="Digits only, 6 to 20."
    )

    def __init__(self, *args: Any, banks: list[chapa.Bank], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(bank.id), _bank_label(bank)) for bank in banks]
        self.fields["bank_code"].choices = [("", "Choose…"), *choices]  # type: ignore[attr-defined]

    def save(self, *, actor: User) -> PayoutMethod | None:
        return self.call_service(services.payout_method_set, actor=actor, **self.cleaned_data)


class PayoutRequestForm(ServiceForm):
    amount = forms.CharField(max_length=40, help_text="For example 150 or 150.50.")
    currency = forms.ChoiceField(choices=Currency.choices, initial=Currency.ETB)

    def save(self, *, user: User) -> Payout | None:
        return self.call_service(services.payout_request, user=user, **self.cleaned_data)


class PayoutRejectForm(ServiceForm):
    reason = forms.CharField(max_length=250, label="Why (the person asking reads this)")

    def save(self, *, payout: Payout, actor: User) -> Payout | None:
        return self.call_service(
            services.payout_reject, payout=payout, actor=actor, **self.cleaned_data
        )


def _bank_label(bank: chapa.Bank) -> str:
    return f"{bank.name} (mobile money)" if bank.is_mobile_money else bank.name
