from typing import Any

from django import forms

from nexus.accounts.models import User
from nexus.challenges import services
from nexus.challenges.models import Challenge, Solution
from nexus.challenges.services import TITLE_MAX_LENGTH, TITLE_MIN_LENGTH
from nexus.core.forms import ServiceForm
from nexus.core.widgets import Chooser, FreeChooser, MarkdownEditor
from nexus.knowledge import selectors as knowledge_selectors


class ChallengeForm(ServiceForm):
    title = forms.CharField(
        max_length=TITLE_MAX_LENGTH,
        min_length=TITLE_MIN_LENGTH,
        help_text="Say what went wrong, e.g. “Checker fails although the project runs locally”.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "hx-get": "/challenges/similar/",
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#similar-challenges",
                "hx-swap": "innerHTML",
            }
        ),
    )
    body = forms.CharField(
        label="Problem statement",
        strip=False,
        help_text="Markdown: the context, the error output as a code block, what you tried.",
        widget=MarkdownEditor(attrs={"rows": 10}, preview_url="markdown_preview"),
    )
    technologies = forms.MultipleChoiceField(
        required=False, choices=(), widget=Chooser(), help_text="Choose one or more."
    )
    tags = forms.CharField(
        required=False, widget=FreeChooser(), help_text="Comma-separated, e.g. checker, ci"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["technologies"].choices = knowledge_selectors.technology_list().values_list(  # type: ignore[attr-defined]
            "slug", "name"
        )
        tags = self.fields["tags"].widget
        assert isinstance(tags, FreeChooser)
        tags.suggest(knowledge_selectors.tag_names())

    def _tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]

    def save(self, author: User) -> Challenge | None:
        return self.call_service(
            services.challenge_create,
            author=author,
            title=self.cleaned_data["title"],
            body=self.cleaned_data["body"],
            technologies=self.cleaned_data["technologies"],
            tags=self._tags(),
        )


class SolutionForm(ServiceForm):
    body = forms.CharField(
        label="Your solution",
        strip=False,
        help_text="Markdown. What fixed it, and why.",
        widget=MarkdownEditor(attrs={"rows": 8}, preview_url="markdown_preview"),
    )

    def save(self, challenge: Challenge, author: User) -> Solution | None:
        return self.call_service(
            services.solution_create,
            challenge=challenge,
            author=author,
            body=self.cleaned_data["body"],
        )


class CommentForm(ServiceForm):
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 2}))
    solution = forms.IntegerField(required=False, widget=forms.HiddenInput)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DuplicateForm(forms.Form):
    duplicate_of = forms.IntegerField(label="Duplicate of challenge #", min_value=1)
