from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "nexus.core"
    label = "core"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from nexus.core.request_context import clear_request_id

        request_finished.connect(clear_request_id, dispatch_uid="nexus.clear_request_id")
        # Importing each app's tasks.py and handlers.py registers its Celery tasks and event
        # subscribers in every process (web, worker, beat), not only where Celery discovers them.
        autodiscover_modules("tasks", "handlers")
