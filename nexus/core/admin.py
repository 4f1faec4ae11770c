from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from nexus.core import deadletters
from nexus.core.models import DeadLetter


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    """Tasks the workers gave up on: read what failed, fix the cause, send them again."""

    list_display = ("task_name", "error", "tries", "worker", "created_at", "requeued_at")
    list_filter = ("task_name", ("requeued_at", admin.EmptyFieldListFilter))
    search_fields = ("task_id", "task_name", "error")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    readonly_fields = (
        *("task_id", "task_name", "args", "kwargs", "tries", "error", "traceback", "worker"),
        *("created_at", "requeued_at"),
    )
    actions = ("send_again",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only the workers write dead letters

    @admin.action(description="Send the selected tasks again", permissions=["change"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[DeadLetter]) -> None:
        sent = deadletters.dead_letters_requeue(queryset)
        self.message_user(request, f"{sent} task(s) sent again.", messages.SUCCESS)
