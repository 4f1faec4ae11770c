from typing import Any

from django import forms
from django.db.models import QuerySet

from nexus.accounts.models import Team
from nexus.notifications.registry import EVENT_TYPES, Frequency


class PreferencesForm(forms.Form):
    """One frequency choice per known event type."""

    def __init__(self, *args: object, initial: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, event in EVENT_TYPES.items():
            self.fields[name] = forms.ChoiceField(
                label=event.label, choices=Frequency.choices, initial=initial.get(name)
            )


class WebhookForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label="Just me",
        label="Owner",
        help_text="A team webhook hears of events routed to the team; its members see the log.",
    )
    url = forms.URLField(max_length=500, label="Payload URL", assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=[(name, f"{name} — {event.label}") for name, event in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teams
        if not teams.exists():
            del self.fields["team"]
