from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class SearchConfig(AppConfig):
    name = "nexus.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        # Each app's search.py registers what it contributes to the index (see registry.py).
        autodiscover_modules("search")
