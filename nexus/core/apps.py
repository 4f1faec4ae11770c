from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "nexus.core"
    label = "core"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from nexus.core.request_context import clear_request_id

        request_finished.connect(clear_request_id, dispatch_uid="nexus.clear_request_id")
