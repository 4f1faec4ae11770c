"""Web form helpers shared by every app (their widgets are in nexus.core.widgets)."""

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
