from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "nexus.journal"
    label = "journal"
    verbose_name = "Learning journal"

    def ready(self) -> None:
        from nexus.journal import evidence  # noqa: F401  (registers the article provider)
