"""Input and output serializers of the challenges API."""

from datetime import date
from typing import Any

from rest_framework import serializers

from nexus.challenges.models import Challenge, ChallengeStatus, Comment, Solution
from nexus.core import months
from nexus.core.serializers import PagePathField, PrefetchedSlugField, StrictSerializer
from nexus.knowledge.models import Tag, Technology


# --- Output ---------------------------------------------------------------------------------
class ChallengeAuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class ChallengeListSerializer(serializers.ModelSerializer):
    """A challenge in a list: the excerpt instead of the body, which the detail endpoint returns.
    Reads challenges as selectors.challenge_summaries loads them (taxonomy in plain lists)."""

    technologies: serializers.SlugRelatedField[Any] = PrefetchedSlugField(
        source="technology_list", slug_field="slug", many=True, read_only=True
    )
    tags: serializers.SlugRelatedField[Any] = PrefetchedSlugField(
        source="tag_list", slug_field="name", many=True, read_only=True
    )
    author = ChallengeAuthorSerializer(read_only=True)
    url = PagePathField("challenges:detail", source="pk")

    class Meta:
        model = Challenge
        fields: tuple[str, ...] = (
            "id",
            "title",
            "excerpt",
            "technologies",
            "tags",
            "status",
            "score",
            "accepted_solution",
            "duplicate_of",
            "answer_count",
            "author",
            "url",
            "created_at",
            "updated_at",
            "solved_at",
            "open_bounties",
        )
        read_only_fields: tuple[str, ...] = fields

    open_bounties = serializers.SerializerMethodField()

    def get_open_bounties(self, challenge: Challenge) -> dict[str, str]:
        """What is on offer now per currency, e.g. {"ETB": "500.00"}; {} without a bounty."""
        totals = {
            "ETB": getattr(challenge, "bounty_etb", None),
            "USD": getattr(challenge, "bounty_usd", None),
        }
        return {currency: f"{total:.2f}" for currency, total in totals.items() if total}


class ChallengeSerializer(ChallengeListSerializer):
    technologies = serializers.SlugRelatedField[Technology](
        slug_field="slug", many=True, read_only=True
    )
    tags = serializers.SlugRelatedField[Tag](slug_field="name", many=True, read_only=True)

    class Meta(ChallengeListSerializer.Meta):
        fields = (*ChallengeListSerializer.Meta.fields, "body", "body_html")
        read_only_fields = fields


class SolutionSerializer(serializers.ModelSerializer):
    author = ChallengeAuthorSerializer(read_only=True)
    is_accepted = serializers.SerializerMethodField()

    class Meta:
        model = Solution
        fields = (
            "id",
            "challenge",
            "body",
            "body_html",
            "score",
            "is_accepted",
            "author",
            "created_at",
            "updated_at",
            "outdated_since",
            "outdated_reason",
        )
        read_only_fields = fields

    def get_is_accepted(self, solution: Solution) -> bool:
        return solution.challenge.accepted_solution_id == solution.pk


class ChallengeCommentSerializer(serializers.ModelSerializer):
    author = ChallengeAuthorSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = (
            "id",
            "challenge",
            "solution",
            "parent",
            "body",
            "body_html",
            "author",
            "created_at",
        )
        read_only_fields = fields


class ChallengeVoteResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    score = serializers.IntegerField()
    value = serializers.IntegerField(help_text="Your vote now: 1, -1 or 0.")


class SimilarChallengeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="challenge.id")
    title = serializers.CharField(source="challenge.title")
    status = serializers.CharField(source="challenge.status")
    score = serializers.IntegerField(source="challenge.score")
    answer_count = serializers.IntegerField(source="challenge.answer_count")
    url = serializers.CharField(source="challenge.get_absolute_url")
    similarity = serializers.FloatField(help_text="Share of the query's significant words matched.")


class ChallengeLeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    user = ChallengeAuthorSerializer()
    points = serializers.IntegerField()


# --- Input ----------------------------------------------------------------------------------
class ChallengeInput(StrictSerializer):
    title = serializers.CharField(max_length=300, trim_whitespace=False)
    body = serializers.CharField(trim_whitespace=False, allow_blank=True)
    technologies = serializers.ListField(
        child=serializers.CharField(max_length=64), max_length=20, required=False, default=list
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=80), max_length=20, required=False, default=list
    )


class ChallengeUpdateInput(StrictSerializer):
    title = serializers.CharField(max_length=300, trim_whitespace=False, required=False)
    body = serializers.CharField(trim_whitespace=False, allow_blank=True, required=False)
    technologies = serializers.ListField(
        child=serializers.CharField(max_length=64), max_length=20, required=False
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=80), max_length=20, required=False
    )
    status = serializers.ChoiceField(choices=ChallengeStatus.choices, required=False)
    duplicate_of = serializers.IntegerField(required=False, allow_null=True)
    accepted_solution = serializers.IntegerField(required=False, allow_null=True)


class SolutionInput(StrictSerializer):
    body = serializers.CharField(trim_whitespace=False, allow_blank=True)


class ChallengeCommentInput(StrictSerializer):
    body = serializers.CharField(trim_whitespace=False, allow_blank=True)
    parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]


class ChallengeVoteInput(StrictSerializer):
    value = serializers.ChoiceField(choices=[1, -1, 0])


class ChallengeLeaderboardInput(StrictSerializer):
    technology = serializers.SlugRelatedField(
        slug_field="slug", queryset=Technology.objects.all(), required=False
    )
    month = serializers.RegexField(
        months.MONTH_SCHEMA_PATTERN, required=False, help_text=months.MONTH_HELP
    )
    user = serializers.IntegerField(required=False)

    def validate_month(self, value: str) -> date:
        try:
            return months.parse_month(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc
