"""Admin pages for curating the taxonomy and moderating content.

Articles are read-only here: their writes go through the services (versions, revisions, events).
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nexus.knowledge import services
from nexus.knowledge.models import (
    Article,
    ArticleRevision,
    Attachment,
    Comment,
    LearningPath,
    Tag,
    Technology,
    TechnologyAlias,
    TechnologyCategory,
)


@admin.register(TechnologyCategory)
class TechnologyCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}


class TechnologyAliasInline(admin.TabularInline):
    model = TechnologyAlias
    extra = 1


@admin.register(Technology)
class TechnologyAdmin(admin.ModelAdmin):
    inlines = (TechnologyAliasInline,)
    list_display = ("name", "slug", "category")
    list_filter = ("category",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("related",)
    list_select_related = ("category",)


@admin.register(TechnologyAlias)
class TechnologyAliasAdmin(admin.ModelAdmin):
    list_display = ("alias", "technology")
    search_fields = ("alias", "technology__name")
    list_select_related = ("technology",)
    autocomplete_fields = ("technology",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ("title", "slug", "kind", "status", "author", "version", "updated_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "slug")
    list_select_related = ("author",)


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(ReadOnlyAdmin):
    list_display = ("article", "number", "editor", "message", "created_at")
    list_select_related = ("article", "editor")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("article", "author", "created_at", "removed_at")
    list_select_related = ("article", "author")


@admin.register(LearningPath)
class LearningPathAdmin(ReadOnlyAdmin):
    list_display = ("title", "slug", "author", "is_published")
    list_select_related = ("author",)


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    """Moderators find and remove files that should not be shared; deleting removes the bytes."""

    list_display = ("name", "owner", "content_type", "size", "created_at")
    list_filter = ("content_type",)
    search_fields = ("name", "owner__email", "owner__display_name")
    list_select_related = ("owner",)

    def delete_model(self, request: HttpRequest, obj: Attachment) -> None:
        services.attachment_delete(attachment=obj, actor=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for attachment in queryset:
            services.attachment_delete(attachment=attachment, actor=request.user)  # type: ignore[arg-type]
