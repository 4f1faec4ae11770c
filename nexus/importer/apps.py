from django.apps import AppConfig


class ImporterConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "nexus.importer"
    label = "importer"
    verbose_name = "Importer"
