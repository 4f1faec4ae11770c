from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "nexus.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        from nexus.knowledge import checks, follows  # noqa: F401  (registers checks, follows)
