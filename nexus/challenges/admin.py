from django.contrib import admin

from nexus.challenges.models import Challenge, Comment, ReputationEntry, Solution


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "status", "score", "answer_count", "created_at")
    list_filter = ("status",)
    search_fields = ("title", "author__email")
    list_select_related = ("author",)
    raw_id_fields = ("author", "accepted_solution", "duplicate_of")
    readonly_fields = ("score", "answer_count", "body_html")


@admin.register(Solution)
class SolutionAdmin(admin.ModelAdmin):
    list_display = ("id", "challenge", "author", "score", "created_at")
    list_select_related = ("challenge", "author")
    raw_id_fields = ("challenge", "author")
    readonly_fields = ("score", "body_html")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "challenge", "solution", "author", "created_at")
    raw_id_fields = ("challenge", "solution", "parent", "author")


@admin.register(ReputationEntry)
class ReputationEntryAdmin(admin.ModelAdmin):
    list_display = ("user", "points", "reason", "challenge", "created_at")
    list_filter = ("reason",)
    raw_id_fields = ("user", "challenge")
