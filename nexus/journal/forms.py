"""Web forms of the journal; each save() calls a service and puts its errors next to fields."""

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, cast

from django import forms

from nexus.accounts.models import User
from nexus.core import clock
from nexus.core.forms import ServiceForm
from nexus.core.widgets import MarkdownEditor
from nexus.journal import services
from nexus.journal.evidence import EvidenceItem
from nexus.journal.models import (
    Cohort,
    CohortInvitation,
    Entry,
    MilestoneProgress,
    MilestoneStatus,
    Program,
    Reflection,
    Visibility,
)
from nexus.knowledge import selectors as knowledge_selectors
from nexus.mentorship.models import Decision, MilestoneReview
from nexus.mentorship.services import milestones as milestone_services

LEARNER_STATUS_CHOICES = [(s.value, s.label) for s in MilestoneStatus if s != MilestoneStatus.DONE]


class EntryForm(ServiceForm):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    body = forms.CharField(
        label="What did you do and learn?",
        strip=False,
        widget=MarkdownEditor(attrs={"rows": 8}, preview_url="markdown_preview"),
        help_text="Markdown. Up to 512 KiB.",
    )
    minutes_spent = forms.IntegerField(label="Minutes spent", initial=60)
    confidence = forms.TypedChoiceField(
        label="Confidence", coerce=int, choices=[(n, str(n)) for n in range(1, 6)], initial=3
    )
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.PRIVATE)
    topics = forms.MultipleChoiceField(required=False, help_text="Technologies you worked with.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topics = cast(forms.MultipleChoiceField, self.fields["topics"])
        topics.choices = [(t.slug, t.name) for t in knowledge_selectors.technology_list()]

    def create(self, author: User) -> Entry | None:
        return self.call_service(services.entry_create, author=author, **self.cleaned_data)

    def update(self, entry: Entry, actor: User) -> Entry | None:
        return self.call_service(
            services.entry_update, entry=entry, actor=actor, **self.cleaned_data
        )


class ReflectionForm(ServiceForm):
    went_well = forms.CharField(
        label="What went well",
        required=False,
        max_length=20_000,
        widget=forms.Textarea({"rows": 3}),
    )
    was_hard = forms.CharField(
        label="What was hard", required=False, max_length=20_000, widget=forms.Textarea({"rows": 3})
    )
    to_change = forms.CharField(
        label="What to change",
        required=False,
        max_length=20_000,
        widget=forms.Textarea({"rows": 3}),
    )
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.PRIVATE)

    def save(self, author: User, month: date) -> Reflection | None:
        return self.call_service(
            services.reflection_save, author=author, month=month, **self.cleaned_data
        )


class ProgressForm(ServiceForm):
    status = forms.ChoiceField(choices=LEARNER_STATUS_CHOICES)
    repository_url = forms.URLField(label="Repository", required=False, max_length=500)
    deployed_url = forms.URLField(label="Deployed URL", required=False, max_length=500)
    note = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea({"rows": 2}))
    evidence = forms.MultipleChoiceField(
        label="Evidence from Nexus", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, offered: Sequence[EvidenceItem] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offered = {item.url: item for item in offered}
        choices = cast(forms.MultipleChoiceField, self.fields["evidence"])
        choices.choices = [(item.url, f"{item.kind}: {item.title}") for item in offered]

    def save(self, progress: MilestoneProgress, actor: User) -> MilestoneProgress | None:
        data = dict(self.cleaned_data)
        data["evidence"] = [
            {"kind": item.kind, "title": item.title, "url": item.url}
            for url in data["evidence"]
            if (item := self.offered.get(url))
        ]
        if data["status"] == MilestoneStatus.SUBMITTED:
            # A submission is a round of the milestone's review thread (mentorship keeps it).
            del data["status"]
            submitted = self.call_service(
                milestone_services.milestone_submit, progress=progress, actor=actor, **data
            )
            return progress if submitted else None
        return self.call_service(services.progress_update, progress=progress, actor=actor, **data)


class ReviewForm(ServiceForm):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve: mark done"), ("changes", "Ask for changes")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea({"rows": 3}))

    def save(self, progress: MilestoneProgress, reviewer: User) -> MilestoneReview | None:
        approve = self.cleaned_data["decision"] == "approve"
        try:
            return self.call_service(
                milestone_services.milestone_review,
                progress=progress,
                reviewer=reviewer,
                decision=Decision.APPROVED if approve else Decision.CHANGES_REQUESTED,
                comment=self.cleaned_data["comment"],
            )
        except milestone_services.ReviewConflict as conflict:
            self.add_error(None, f"{conflict} ({conflict.review.reviewer.display_name}).")
            return None


class CohortForm(ServiceForm):
    """Start a cohort: its name, program and start date; who starts it mentors it."""

    name = forms.CharField(max_length=120)
    program = forms.ModelChoiceField(queryset=Program.objects.order_by("title"), empty_label=None)
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def save(self, actor: User) -> Cohort | None:
        return self.call_service(
            services.cohort_create, actor=actor, mentors=(), **self.cleaned_data
        )


class CohortEditForm(ServiceForm):
    name = forms.CharField(max_length=120)
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def save(self, cohort: Cohort, actor: User) -> Cohort | None:
        return self.call_service(
            services.cohort_update, cohort=cohort, actor=actor, **self.cleaned_data
        )


class InvitationForm(ServiceForm):
    """An invite link; with an address, the link is e-mailed there too."""

    email = forms.EmailField(required=False, help_text="Optional: we e-mail the link there.")
    days = forms.IntegerField(min_value=1, max_value=90, initial=14, label="Expires after (days)")
    max_uses = forms.IntegerField(
        min_value=1, max_value=10_000, required=False, help_text="Leave empty for no limit."
    )

    def save(self, cohort: Cohort, actor: User) -> CohortInvitation | None:
        return self.call_service(
            services.invitation_create,
            cohort=cohort,
            actor=actor,
            email=self.cleaned_data["email"],
            expires_at=clock.now() + timedelta(days=self.cleaned_data["days"]),
            max_uses=self.cleaned_data["max_uses"],
        )
