from django.apps import AppConfig


class CollabConfig(AppConfig):
    name = "nexus.collab"
    label = "collab"
    verbose_name = "Collaboration hub"

    def ready(self) -> None:
        from nexus.collab import follows  # noqa: F401  (registers what can be followed)
