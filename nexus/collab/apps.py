from django.apps import AppConfig


class CollabConfig(AppConfig):
    name = "nexus.collab"
    label = "collab"
    verbose_name = "Collaboration hub"
