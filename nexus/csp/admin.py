from django.contrib import admin
from django.http import HttpRequest

from nexus.csp.models import Violation


@admin.register(Violation)
class ViolationAdmin(admin.ModelAdmin):
    """Read-only: rows come from browsers' reports; deleting one starts its count afresh."""

    list_display = (
        "page_route",
        "directive",
        "blocked_uri",
        "disposition",
        "count",
        "last_seen_at",
    )
    list_filter = ("directive", "disposition")
    search_fields = ("page_route", "page_path", "blocked_uri", "source_file")
    date_hierarchy = "last_seen_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Violation | None = None) -> bool:
        return False
