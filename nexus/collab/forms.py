"""Web forms of the collaboration hub; each save() calls a service."""

from typing import Any

from django import forms

from nexus.accounts.models import Team, User
from nexus.collab.models import (
    Api,
    EndpointFeedback,
    IntegrationIssue,
    IssueComment,
    IssueKind,
    IssueStatus,
    Operation,
    SpecChange,
)
from nexus.collab.openapi.loader import MAX_SPEC_BYTES
from nexus.collab.services import catalog, feedback, issues
from nexus.core.forms import ServiceForm
from nexus.core.widgets import Chooser, MarkdownEditor, StarRating

SCORE_CHOICES = [("", "Not rated"), *[(str(n), str(n)) for n in range(1, 6)]]


class ApiForm(ServiceForm):
    name = forms.CharField(max_length=120)
    description = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    base_url = forms.URLField(max_length=500, required=False, label="Base URL")
    repository_url = forms.URLField(max_length=500, required=False, label="Repository")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.order_by("name")
        self.fields["team"].queryset = teams if user.is_admin else teams.filter(members=user)  # type: ignore[attr-defined]

    def save(self, actor: User) -> Api | None:
        return self.call_service(catalog.api_create, actor=actor, **self.cleaned_data)


class SpecForm(ServiceForm):
    spec_file = forms.FileField(required=False, label="Upload a YAML or JSON file")
    spec_text = forms.CharField(
        required=False,
        strip=False,
        label="…or paste it",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )
    url = forms.URLField(required=False, max_length=2000, label="…or fetch it from a URL")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [name for name in ("spec_file", "spec_text", "url") if data.get(name)]
        if len(given) != 1:
            raise forms.ValidationError("Give the spec one way: a file, pasted text, or a URL.")
        upload = data.get("spec_file")
        if upload is not None and upload.size > MAX_SPEC_BYTES:
            self.add_error("spec_file", f"The file is over the {MAX_SPEC_BYTES} byte limit.")
        return data


class ConsumerForm(ServiceForm):
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="Just me"
    )
    operations = forms.MultipleChoiceField(
        required=False,
        help_text="Leave empty to be told about every operation.",
        widget=Chooser(),
    )

    def __init__(self, *args: Any, user: User, operation_keys: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(members=user).order_by("name")  # type: ignore[attr-defined]
        self.fields["operations"].choices = [(key, key) for key in operation_keys]  # type: ignore[attr-defined]


class FeedbackForm(ServiceForm):
    naming = forms.TypedChoiceField(
        choices=SCORE_CHOICES, coerce=int, empty_value=None, required=False, widget=StarRating
    )
    error_messages = forms.TypedChoiceField(
        choices=SCORE_CHOICES, coerce=int, empty_value=None, required=False, widget=StarRating
    )
    documentation = forms.TypedChoiceField(
        choices=SCORE_CHOICES, coerce=int, empty_value=None, required=False, widget=StarRating
    )
    consistency = forms.TypedChoiceField(
        choices=SCORE_CHOICES, coerce=int, empty_value=None, required=False, widget=StarRating
    )
    performance = forms.TypedChoiceField(
        choices=SCORE_CHOICES, coerce=int, empty_value=None, required=False, widget=StarRating
    )
    comment = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    example = forms.CharField(
        max_length=5000,
        required=False,
        label="Example (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def save(self, author: User, operation: Operation) -> EndpointFeedback | None:
        return self.call_service(
            feedback.feedback_submit, author=author, operation=operation, **self.cleaned_data
        )


class ReplyForm(ServiceForm):
    reply = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    addressed = forms.BooleanField(required=False, label="Mark addressed")

    def save(self, actor: User, item: EndpointFeedback) -> EndpointFeedback | None:
        return self.call_service(
            feedback.feedback_reply, feedback=item, actor=actor, **self.cleaned_data
        )


class IssueForm(ServiceForm):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=IssueKind.choices)
    operation_key = forms.ChoiceField(required=False, label="Operation")
    body = forms.CharField(
        max_length=512 * 1024,
        required=False,
        widget=MarkdownEditor(attrs={"rows": 8}, preview_url="markdown_preview"),
    )
    labels = forms.CharField(max_length=400, required=False, help_text="Comma-separated.")

    def __init__(self, *args: Any, operation_keys: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operation_key"].choices = [("", "—"), *[(k, k) for k in operation_keys]]  # type: ignore[attr-defined]

    def save(
        self, reporter: User, api: Api, change: SpecChange | None = None
    ) -> IntegrationIssue | None:
        data = dict(self.cleaned_data)
        data["labels"] = [label for label in data["labels"].split(",") if label.strip()]
        return self.call_service(
            issues.issue_create, reporter=reporter, api=api, change=change, **data
        )


class IssueStatusForm(ServiceForm):
    status = forms.ChoiceField(choices=IssueStatus.choices)

    def save(self, actor: User, issue: IntegrationIssue) -> IntegrationIssue | None:
        return self.call_service(issues.issue_update, issue=issue, actor=actor, **self.cleaned_data)


class PersonChoiceField(forms.ModelChoiceField):
    """People by display name: User's str() carries the e-mail address, which is not for
    everyone who may triage (any learner maintaining an API) to collect."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} (#{obj.pk})"


class IssueTriageForm(ServiceForm):
    assignee = PersonChoiceField(queryset=User.objects.filter(is_active=True), required=False)
    labels = forms.CharField(max_length=400, required=False, help_text="Comma-separated.")

    def save(self, actor: User, issue: IntegrationIssue) -> IntegrationIssue | None:
        labels = [label for label in self.cleaned_data["labels"].split(",") if label.strip()]
        return self.call_service(
            issues.issue_update,
            issue=issue,
            actor=actor,
            assignee=self.cleaned_data["assignee"],
            labels=labels,
        )


class CommentForm(ServiceForm):
    body = forms.CharField(
        max_length=512 * 1024,
        widget=MarkdownEditor(attrs={"rows": 4}, preview_url="markdown_preview"),
        label="Comment",
    )

    def save(self, author: User, issue: IntegrationIssue) -> IssueComment | None:
        return self.call_service(
            issues.issue_comment_create, issue=issue, author=author, **self.cleaned_data
        )


class CompareForm(ServiceForm):
    """Two versions of one API to compare (older first), optionally only the breaking changes."""

    breaking = forms.BooleanField(required=False, label="Breaking changes only")

    def __init__(self, *args: Any, versions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (str(number), f"Version {number}" + (f" ({label})" if label else ""))
            for number, label in versions
        ]
        unknown = {"invalid_choice": "This API has no version %(value)s."}
        self.fields["from"] = forms.TypedChoiceField(
            choices=choices, coerce=int, label="From (older)", error_messages=unknown
        )
        self.fields["to"] = forms.TypedChoiceField(
            choices=choices, coerce=int, label="To (newer)", error_messages=unknown
        )
        self.order_fields(["from", "to", "breaking"])
