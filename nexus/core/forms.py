"""Web form helpers shared by every app."""

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class ServiceForm(forms.Form):
    """A form whose save() calls a service; the service's field errors land next to the fields."""

    def call_service(self, service: Any, **kwargs: Any) -> Any:
        try:
            return service(**kwargs)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, exc)
            return None


class Chooser(forms.SelectMultiple):
    """A multi-select that forms.js turns into a type-ahead chooser with removable chips; without
    JavaScript it is the plain <select multiple> it renders."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"size": 6, "data-chooser": "", **(attrs or {})})


class FreeChooser(forms.TextInput):
    """Comma-separated free values (tags): forms.js shows them as chips and suggests the
    `suggestions` while typing; without JavaScript it is the text box."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"data-chooser": "free", "autocomplete": "off", **(attrs or {})})

    def suggest(self, names: list[str]) -> None:
        self.attrs["data-suggestions"] = json.dumps(names)


class StarRating(forms.RadioSelect):
    """A 1-5 score as a radio group drawn as stars (forms.css); arrows move between them as in
    any radio group, and each star is named "3 of 5 stars". The template puts it in a fieldset."""

    template_name = "core/widgets/star_rating.html"
    option_template_name = "core/widgets/star_option.html"
