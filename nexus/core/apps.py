from django.apps import AppConfig
from django.core.signals import request_finished
from django.db.backends.signals import connection_created
from django.utils.module_loading import autodiscover_modules

from nexus.core.request_context import clear_request_context


class CoreConfig(AppConfig):
    name = "nexus.core"
    label = "core"

    def ready(self) -> None:
        # The project's Celery app becomes current before any task registers, so shared tasks
        # and taskqueue's current_app are this app in every process that sets Django up.
        import nexus.celery  # noqa: F401

        request_finished.connect(clear_request_context, dispatch_uid="nexus.clear_request_context")
        # Importing each app's tasks.py and handlers.py registers its Celery tasks and event
        # subscribers in every process (web, worker, beat), not only where Celery discovers them.
        autodiscover_modules("tasks", "handlers")
        # deadletters connects the task_failure handler that keeps given-up tasks as dead
        # letters; pagecache's write observer makes cached pages obsolete (it imports DRF, so
        # not before the apps are ready); metrics connects the task counters and the worker's
        # exporter; its collectors read models and the broker, and it times every query.
        from nexus.core import deadletters, metrics, pagecache  # noqa: F401

        metrics.register_collectors()

        connection_created.connect(pagecache.observe_writes, dispatch_uid="nexus.observe_writes")
        connection_created.connect(
            metrics.time_connection_queries, dispatch_uid="nexus.time_connection_queries"
        )
