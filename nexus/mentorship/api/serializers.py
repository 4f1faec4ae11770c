"""REST shapes of mentorship: rubrics with their criteria, and milestone threads."""

from typing import Any

from rest_framework import serializers

from nexus.core.serializers import StrictSerializer
from nexus.journal.api.serializers import ProgressSerializer
from nexus.journal.models import Milestone, MilestoneProgress
from nexus.mentorship.models import (
    Decision,
    MilestoneReview,
    MilestoneSubmission,
    Rubric,
    RubricVersion,
)
from nexus.mentorship.models.rubrics import MAX_CRITERIA


class CriterionSerializer(serializers.Serializer):
    name = serializers.CharField()
    scale = serializers.IntegerField()
    levels = serializers.ListField(child=serializers.CharField(allow_blank=True))


class RubricVersionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="number")
    criteria = CriterionSerializer(many=True)

    class Meta:
        model = RubricVersion
        fields = ("version", "criteria", "created_at")
        read_only_fields = fields


class RubricSerializer(serializers.ModelSerializer):
    version = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField()
    archived = serializers.SerializerMethodField()

    class Meta:
        model = Rubric
        fields = (
            "id",
            "name",
            "description",
            "version",
            "criteria",
            "archived",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def _current(self, rubric: Rubric) -> RubricVersion:
        # The list prefetches versions newest first; the current one is the first of them.
        return rubric.versions.all()[0]

    def get_version(self, rubric: Rubric) -> int:
        return self._current(rubric).number

    def get_criteria(self, rubric: Rubric) -> list[dict[str, Any]]:
        return list(CriterionSerializer(self._current(rubric).criteria, many=True).data)

    def get_archived(self, rubric: Rubric) -> bool:
        return rubric.archived_at is not None


class CriterionInput(StrictSerializer):
    name = serializers.CharField(max_length=80)
    scale = serializers.IntegerField()
    levels = serializers.ListField(
        child=serializers.CharField(max_length=500, allow_blank=True), required=False
    )


class RubricInput(StrictSerializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    criteria = serializers.ListField(child=CriterionInput(), max_length=MAX_CRITERIA)
    archived = serializers.BooleanField(required=False)


class ReviewerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class ScoreSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    score = serializers.IntegerField()
    comment = serializers.CharField()


class MilestoneReviewSerializer(serializers.ModelSerializer):
    reviewer = ReviewerSerializer()
    round = serializers.IntegerField(source="submission.round")
    rubric = serializers.SerializerMethodField()
    scores = ScoreSerializer(many=True)

    class Meta:
        model = MilestoneReview
        fields = (
            "id",
            "round",
            "reviewer",
            "decision",
            "comment",
            "comment_html",
            "rubric",
            "scores",
            "created_at",
        )
        read_only_fields = fields

    def get_rubric(self, review: MilestoneReview) -> dict[str, Any] | None:
        version = review.rubric_version
        if version is None:
            return None
        return {"id": version.rubric_id, "name": version.rubric.name, "version": version.number}


class MilestoneSubmissionSerializer(serializers.ModelSerializer):
    review = serializers.SerializerMethodField()

    class Meta:
        model = MilestoneSubmission
        fields = (
            "id",
            "round",
            "note",
            "repository_url",
            "deployed_url",
            "evidence",
            "submitted_at",
            "review",
        )
        read_only_fields = fields

    def get_review(self, submission: MilestoneSubmission) -> dict[str, Any] | None:
        review = getattr(submission, "review", None)
        return dict(MilestoneReviewSerializer(review).data) if review else None


class EvidenceInput(StrictSerializer):
    kind = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=200)
    url = serializers.CharField(max_length=500)

    def validate_url(self, value: str) -> str:
        if value.startswith(("https://", "http://")) or (
            value.startswith("/") and not value.startswith("//")
        ):
            return value
        raise serializers.ValidationError("Use an http(s) URL or a path on this site.")


class SubmitInput(StrictSerializer):
    note = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    repository_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    deployed_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    evidence = serializers.ListField(child=EvidenceInput(), required=False, max_length=50)


class ScoreInput(StrictSerializer):
    criterion = serializers.CharField(max_length=80)
    score = serializers.IntegerField()
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


# Earlier clients sent "approve" / "changes", or `approve: true`; they still work.
LEGACY_DECISIONS = {"approve": Decision.APPROVED, "changes": Decision.CHANGES_REQUESTED}


class MilestoneReviewInput(StrictSerializer):
    decision = serializers.ChoiceField(
        choices=[*Decision.values, *LEGACY_DECISIONS], required=False
    )
    approve = serializers.BooleanField(required=False)
    scores = serializers.ListField(child=ScoreInput(), required=False, max_length=MAX_CRITERIA)
    comment = serializers.CharField(max_length=20_000, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        decision = attrs.pop("decision", None)
        approve = attrs.pop("approve", None)
        if decision is None and approve is None:
            raise serializers.ValidationError(
                {"decision": ["Choose approved or changes_requested."]}, code="required"
            )
        if decision is None:
            decision = Decision.APPROVED if approve else Decision.CHANGES_REQUESTED
        attrs["decision"] = LEGACY_DECISIONS.get(decision, decision)
        return attrs


class MilestoneRubricInput(StrictSerializer):
    rubric = serializers.IntegerField(allow_null=True)


class MilestoneRubricSerializer(serializers.ModelSerializer):
    rubric = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = ("id", "number", "title", "rubric")
        read_only_fields = fields

    def get_rubric(self, milestone: Milestone) -> dict[str, Any] | None:
        link = getattr(milestone, "rubric_link", None)
        return {"id": link.rubric_id, "name": link.rubric.name} if link else None


class ThreadRubricSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    version = serializers.IntegerField()
    criteria = CriterionSerializer(many=True)
    created_at = serializers.DateTimeField()


class MilestoneThreadSerializer(serializers.Serializer):
    """A milestone's thread: every round, oldest first, with the rubric it is scored with now."""

    progress = serializers.IntegerField()
    status = serializers.CharField()
    rubric = ThreadRubricSerializer(allow_null=True)
    results = MilestoneSubmissionSerializer(many=True)


class RubricVersionsSerializer(serializers.Serializer):
    results = RubricVersionSerializer(many=True)


class ReviewedMilestoneSerializer(ProgressSerializer):
    """The milestone as the journal shows it, with the review just saved."""

    review = MilestoneReviewSerializer(read_only=True)

    class Meta:
        model = MilestoneProgress
        fields = (*ProgressSerializer.Meta.fields, "review")
        read_only_fields = fields
