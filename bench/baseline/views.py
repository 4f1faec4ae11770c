"""The naive API: one ModelViewSet a resource, nested serializers, every relation a query a row."""

from rest_framework import serializers, viewsets

from nexus.accounts.models import User
from nexus.challenges.models import Challenge, Solution
from nexus.knowledge.models import Article, Tag, Technology


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ("id", "display_name")


class TechnologySerializer(serializers.ModelSerializer):
    class Meta:
        model = Technology
        fields = ("slug", "name")


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ("name",)


class ArticleListSerializer(serializers.ModelSerializer):
    author = AuthorSerializer()
    technologies = TechnologySerializer(many=True)
    tags = TagSerializer(many=True)

    class Meta:
        model = Article
        fields = (
            "id", "slug", "title", "summary", "kind", "status", "author", "technologies", "tags",
            "reading_minutes", "helpful_count", "comment_count", "published_at", "created_at",
        )  # fmt: skip


class ArticleSerializer(ArticleListSerializer):
    class Meta(ArticleListSerializer.Meta):
        fields = (*ArticleListSerializer.Meta.fields, "body", "body_html", "toc", "version")


class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Article.objects.filter(status="published").order_by("-created_at", "-id")
    lookup_field = "slug"

    def get_serializer_class(self) -> type[serializers.ModelSerializer]:
        return ArticleListSerializer if self.action == "list" else ArticleSerializer


class SolutionSerializer(serializers.ModelSerializer):
    author = AuthorSerializer()

    class Meta:
        model = Solution
        fields = ("id", "author", "body", "body_html", "score", "created_at")


class ChallengeListSerializer(serializers.ModelSerializer):
    author = AuthorSerializer()
    technologies = TechnologySerializer(many=True)
    tags = TagSerializer(many=True)

    class Meta:
        model = Challenge
        fields = (
            "id", "title", "status", "score", "answer_count", "author", "technologies", "tags",
            "created_at",
        )  # fmt: skip


class ChallengeSerializer(ChallengeListSerializer):
    solutions = SolutionSerializer(many=True)

    class Meta(ChallengeListSerializer.Meta):
        fields = (*ChallengeListSerializer.Meta.fields, "body", "body_html", "solutions")


class ChallengeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Challenge.objects.order_by("-created_at", "-id")

    def get_serializer_class(self) -> type[serializers.ModelSerializer]:
        return ChallengeListSerializer if self.action == "list" else ChallengeSerializer
