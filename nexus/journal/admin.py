from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nexus.journal.models import (
    Cohort,
    CohortMembership,
    Entry,
    Milestone,
    MilestoneProgress,
    Program,
    ProgramMonth,
    Reflection,
)


class MonthInline(admin.StackedInline):
    model = ProgramMonth
    extra = 0
    filter_horizontal = ("topics", "articles")


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "is_default")
    inlines = (MonthInline, MilestoneInline)


class MembershipInline(admin.TabularInline):
    """Read-only history: people join, move and leave through the app (journal:cohort)."""

    model = CohortMembership
    extra = 0
    fields = readonly_fields = ("learner", "joined_at", "left_at", "invitation")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "program", "start_date", "archived_at")
    filter_horizontal = ("mentors",)
    inlines = (MembershipInline,)


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ("author", "date", "minutes_spent", "visibility")
    list_filter = ("visibility",)
    raw_id_fields = ("author",)
    readonly_fields = ("body_html",)


@admin.register(Reflection)
class ReflectionAdmin(admin.ModelAdmin):
    list_display = ("author", "month", "visibility")
    raw_id_fields = ("author",)


@admin.register(MilestoneProgress)
class MilestoneProgressAdmin(admin.ModelAdmin):
    list_display = ("learner", "milestone", "status", "reviewer")
    list_filter = ("status",)
    raw_id_fields = ("learner", "reviewer")
