from django.contrib import admin

from nexus.importer.models import ImportedItem, ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("id", "source", "source_kind", "owner", "status", "dry_run", "created_at")
    list_filter = ("status", "source_kind")
    search_fields = ("source", "owner__email")
    raw_id_fields = ("owner",)
    readonly_fields = ("report", "error", "started_at", "finished_at")
    exclude = ("upload",)


@admin.register(ImportedItem)
class ImportedItemAdmin(admin.ModelAdmin):
    list_display = ("source", "path", "item_key", "target_kind", "target_slug", "updated_at")
    list_filter = ("target_kind",)
    search_fields = ("source", "path", "item_key", "target_slug")
    raw_id_fields = ("owner",)
