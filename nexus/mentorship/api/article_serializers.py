"""What /api/v1/articles/{slug}/review-requests/ reads and writes."""

from typing import Any

from rest_framework import serializers

from nexus.core.serializers import StrictSerializer
from nexus.mentorship.models import (
    ArticleReview,
    ArticleReviewRequest,
    ArticleReviewScore,
    Decision,
)
from nexus.mentorship.services.articles import COMMENT_MAX, MAX_REVIEWERS


class ReviewPersonSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    display_name = serializers.CharField(read_only=True)


class ReviewRequestInput(StrictSerializer):
    reviewers = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=MAX_REVIEWERS,
        help_text="User ids; left out or empty: the author's mentors.",
    )
    rubric = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class ReviewScoreInput(StrictSerializer):
    criterion = serializers.CharField(max_length=80)
    score = serializers.IntegerField(min_value=1, max_value=10)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ReviewDecisionInput(StrictSerializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    scores = ReviewScoreInput(many=True, required=False)
    comment = serializers.CharField(max_length=20_000, required=False, allow_blank=True)


class ReviewCommentInput(StrictSerializer):
    revision = serializers.IntegerField(min_value=1, max_value=2_147_483_647)
    line = serializers.IntegerField(min_value=1, max_value=2_147_483_647)
    body = serializers.CharField(max_length=COMMENT_MAX)


class ReviewScoreSerializer(serializers.ModelSerializer[ArticleReviewScore]):
    class Meta:
        model = ArticleReviewScore
        fields = ("criterion", "position", "score", "comment")


class ReviewSerializer(serializers.ModelSerializer[ArticleReview]):
    reviewer = ReviewPersonSerializer(read_only=True)
    scores = ReviewScoreSerializer(many=True, read_only=True)
    rubric_version = serializers.SerializerMethodField()

    class Meta:
        model = ArticleReview
        fields = (
            "id",
            "request",
            "reviewer",
            "decision",
            "comment",
            "comment_html",
            "revision_number",
            "rubric_version",
            "scores",
            "created_at",
        )

    def get_rubric_version(self, review: ArticleReview) -> dict[str, int] | None:
        version = review.rubric_version
        return {"rubric": version.rubric_id, "number": version.number} if version else None


class ReviewRequestSerializer(serializers.ModelSerializer[ArticleReviewRequest]):
    article = serializers.CharField(source="article.slug", read_only=True)
    requested_by = ReviewPersonSerializer(read_only=True)
    reviewers = ReviewPersonSerializer(many=True, read_only=True)
    rubric = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()

    class Meta:
        model = ArticleReviewRequest
        fields = (
            "id",
            "article",
            "status",
            "revision_number",
            "requested_by",
            "reviewers",
            "rubric",
            "review",
            "created_at",
            "closed_at",
        )

    def get_rubric(self, request: ArticleReviewRequest) -> dict[str, Any] | None:
        rubric = request.rubric
        return {"id": rubric.pk, "name": rubric.name} if rubric else None

    def get_review(self, request: ArticleReviewRequest) -> dict[str, Any] | None:
        decided = list(request.reviews.all())
        return ReviewSerializer(decided[0]).data if decided else None


class ReviewCommentSerializer(serializers.Serializer[Any]):
    """A comment and where it sits on the article's current text (null line: outdated)."""

    id = serializers.IntegerField(source="comment.pk")
    request = serializers.IntegerField(source="comment.request_id")
    revision = serializers.IntegerField(source="comment.revision.number")
    line = serializers.IntegerField(source="comment.line")
    line_text = serializers.CharField(source="comment.line_text")
    current_line = serializers.IntegerField(source="line", allow_null=True)
    outdated = serializers.BooleanField()
    body = serializers.CharField(source="comment.body")
    body_html = serializers.CharField(source="comment.body_html")
    author = ReviewPersonSerializer(source="comment.author")
    resolved = serializers.BooleanField(source="comment.resolved")
    created_at = serializers.DateTimeField(source="comment.created_at")


# `required` is the field's public name; DRF's metaclass takes declared fields off the class, so
# it does not shadow Field.required at run time, which the type checker cannot know.
class ReviewSettingInput(StrictSerializer):
    required = serializers.BooleanField()  # type: ignore[assignment]


class AuthorReviewSettingSerializer(serializers.Serializer[Any]):
    """Whether the author's articles need a review now, and the author's own setting if any
    (null: their programme decides)."""

    author = serializers.IntegerField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    own_setting = serializers.BooleanField(allow_null=True)
    set_by = serializers.IntegerField(allow_null=True)


class ProgramReviewSettingSerializer(serializers.Serializer[Any]):
    program = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]
