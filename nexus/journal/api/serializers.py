"""Input and output serializers of the journal's REST API."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from nexus.core.serializers import StrictSerializer
from nexus.journal.models import (
    Entry,
    Milestone,
    MilestoneProgress,
    MilestoneStatus,
    Program,
    ProgramMonth,
    Reflection,
    Visibility,
)


class JournalAuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class EntrySerializer(serializers.ModelSerializer):
    author = JournalAuthorSerializer(read_only=True)
    topics: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    articles: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )

    class Meta:
        model = Entry
        fields = (
            "id",
            "date",
            "body",
            "body_html",
            "minutes_spent",
            "confidence",
            "visibility",
            "topics",
            "articles",
            "author",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class EntryInput(StrictSerializer):
    date = serializers.DateField()
    # The service counts bytes (512 KiB); this only stops absurd input before it is decoded twice.
    body = serializers.CharField(trim_whitespace=False, max_length=600_000)
    minutes_spent = serializers.IntegerField(default=0, min_value=-(2**31), max_value=2**31)
    confidence = serializers.IntegerField(default=3)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PRIVATE)
    topics = serializers.ListField(child=serializers.SlugField(), default=list, max_length=20)
    articles = serializers.ListField(child=serializers.SlugField(), default=list, max_length=20)


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-05"})
class MonthField(serializers.DateField):
    """A month as YYYY-MM (the date of its first day inside)."""

    def to_representation(self, value: Any) -> Any:
        if isinstance(value, str):
            return value
        # Not strftime("%Y"): it does not pad the years before 1000 to four digits.
        return f"{value.year:04d}-{value.month:02d}"


class ReflectionSerializer(serializers.ModelSerializer):
    author = JournalAuthorSerializer(read_only=True)
    month = MonthField()

    class Meta:
        model = Reflection
        fields = (
            "id",
            "month",
            "went_well",
            "was_hard",
            "to_change",
            "visibility",
            "author",
            "updated_at",
        )
        read_only_fields = fields


class ReflectionInput(StrictSerializer):
    month = serializers.DateField(input_formats=["%Y-%m", "%Y-%m-%d"])
    went_well = serializers.CharField(max_length=20_000, allow_blank=True, default="")
    was_hard = serializers.CharField(max_length=20_000, allow_blank=True, default="")
    to_change = serializers.CharField(max_length=20_000, allow_blank=True, default="")
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PRIVATE)


class MilestoneSerializer(serializers.ModelSerializer):
    month = serializers.IntegerField(source="month.number", read_only=True)

    class Meta:
        model = Milestone
        fields = ("id", "number", "title", "description", "month")
        read_only_fields = fields


class ProgramMonthSerializer(serializers.ModelSerializer):
    topics: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    articles: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True
    )
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = ProgramMonth
        fields = ("number", "title", "description", "topics", "articles", "milestones")
        read_only_fields = fields


class ProgramSerializer(serializers.ModelSerializer):
    months = ProgramMonthSerializer(many=True, read_only=True)

    class Meta:
        model = Program
        fields = ("slug", "title", "description", "is_default", "months")
        read_only_fields = fields


class ProgramMonthInput(StrictSerializer):
    number = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    topics = serializers.ListField(child=serializers.SlugField(), required=False, max_length=50)


class ProgramMilestoneInput(StrictSerializer):
    number = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ProgramInput(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    months = serializers.ListField(child=ProgramMonthInput(), required=False, max_length=24)
    milestones = serializers.ListField(child=ProgramMilestoneInput(), required=False, max_length=50)


class ProgressSerializer(serializers.ModelSerializer):
    milestone = MilestoneSerializer(read_only=True)
    program = serializers.SlugField(source="milestone.program.slug", read_only=True)
    learner = JournalAuthorSerializer(read_only=True)
    reviewer = JournalAuthorSerializer(read_only=True, allow_null=True)

    class Meta:
        model = MilestoneProgress
        fields = (
            "id",
            "program",
            "milestone",
            "learner",
            "status",
            "repository_url",
            "deployed_url",
            "evidence",
            "note",
            "submitted_at",
            "completed_at",
            "reviewer",
            "review_comment",
            "reviewed_at",
        )
        read_only_fields = fields


class EvidenceLinkInput(StrictSerializer):
    kind = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=200)
    url = serializers.CharField(max_length=500)

    def validate(self, attrs: dict[str, str]) -> dict[str, str]:
        # A PATCH makes every field optional, down into list items; a link needs all three.
        missing = sorted({"kind", "title", "url"} - set(attrs))
        if missing:
            raise serializers.ValidationError(
                {name: ["This field is required."] for name in missing}
            )
        return attrs

    def validate_url(self, value: str) -> str:
        """Links render as hrefs: only http(s) URLs or paths on this site."""
        if value.startswith(("https://", "http://")) or (
            value.startswith("/") and not value.startswith("//")
        ):
            return value
        raise serializers.ValidationError("Use an http(s) URL or a path on this site.")


class ProgressInput(StrictSerializer):
    status = serializers.ChoiceField(choices=MilestoneStatus.choices, required=False)
    repository_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    deployed_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    evidence = serializers.ListField(child=EvidenceLinkInput(), required=False, max_length=50)
    note = serializers.CharField(max_length=20_000, required=False, allow_blank=True)


class EvidenceItemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    occurred_on = serializers.DateField()


class ChartSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    labels = serializers.ListField(child=serializers.CharField())
    datasets = serializers.ListField(child=serializers.DictField())
    stacked = serializers.BooleanField()
