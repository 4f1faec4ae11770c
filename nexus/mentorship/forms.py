"""Web forms of mentorship: they call the services, whose field errors land next to the fields."""

from typing import Any

from django import forms

from nexus.accounts.models import User
from nexus.core.forms import ServiceForm
from nexus.core.widgets import Chooser
from nexus.knowledge.models import Article
from nexus.mentorship import selectors
from nexus.mentorship.models import (
    ArticleReview,
    ArticleReviewRequest,
    Criterion,
    Decision,
    ReviewComment,
    RubricVersion,
)
from nexus.mentorship.services import articles as services


class ReviewRequestForm(ServiceForm):
    reviewers = forms.MultipleChoiceField(
        required=False,
        widget=Chooser(),
        help_text="Leave empty to ask your mentors.",
    )
    rubric = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reviewers = self.fields["reviewers"]
        assert isinstance(reviewers, forms.MultipleChoiceField)
        reviewers.choices = [(user.pk, user.display_name) for user in candidates]
        rubric = self.fields["rubric"]
        assert isinstance(rubric, forms.TypedChoiceField)
        rubric.choices = [("", "No rubric")] + [(r.pk, r.name) for r in selectors.rubric_list()]

    def save(self, article: Article, author: User) -> ArticleReviewRequest | None:
        rubric_id = self.cleaned_data["rubric"]
        return self.call_service(
            services.review_request,
            actor=author,
            article=article,
            reviewer_ids=[int(pk) for pk in self.cleaned_data["reviewers"]],
            rubric=selectors.rubric_get(rubric_id=rubric_id) if rubric_id else None,
        )


class ReviewCommentForm(ServiceForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    line = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    body = forms.CharField(
        label="Comment", max_length=services.COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def save(self, request: ArticleReviewRequest, author: User) -> ReviewComment | None:
        return self.call_service(
            services.review_comment_add,
            actor=author,
            request=request,
            revision_number=self.cleaned_data["revision"],
            line=self.cleaned_data["line"],
            body=self.cleaned_data["body"],
        )


class ReviewDecisionForm(ServiceForm):
    """The overall decision and comment, and one radio group (plus comment) per criterion."""

    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="Overall comment",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when you request changes.",
    )
    scores = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, version: RubricVersion | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria: list[Criterion] = list(version.criteria) if version else []
        for index, criterion in enumerate(self.criteria):
            levels = criterion["levels"]
            self.fields[f"score_{index}"] = forms.TypedChoiceField(
                label=criterion["name"],
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
                choices=[
                    (n, f"{n} — {levels[n - 1]}" if levels[n - 1] else str(n))
                    for n in range(1, criterion["scale"] + 1)
                ],
            )
            self.fields[f"score_comment_{index}"] = forms.CharField(
                label=f"Comment on {criterion['name']}", required=False, max_length=5000
            )

    def criterion_fields(self) -> list[tuple[Criterion, forms.BoundField, forms.BoundField]]:
        """Each criterion with its score radios and its comment box, for a fieldset each."""
        return [
            (criterion, self[f"score_{index}"], self[f"score_comment_{index}"])
            for index, criterion in enumerate(self.criteria)
        ]

    def _scores(self) -> list[dict[str, object]]:
        return [
            {
                "criterion": criterion["name"],
                "score": self.cleaned_data.get(f"score_{index}"),
                "comment": self.cleaned_data.get(f"score_comment_{index}", ""),
            }
            for index, criterion in enumerate(self.criteria)
            # An unpicked level is a missing score, which the service names.
            if self.cleaned_data.get(f"score_{index}") is not None
        ]

    def save(self, request: ArticleReviewRequest, reviewer: User) -> ArticleReview | None:
        return self.call_service(
            services.review_decide,
            actor=reviewer,
            request=request,
            decision=self.cleaned_data["decision"],
            comment=self.cleaned_data["comment"],
            scores=self._scores(),
        )
