from django import forms

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
    url = forms.URLField(max_length=500, label="Payload URL", assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=[(name, f"{name} — {event.label}") for name, event in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
    )
