import json
from typing import Any

from django.core.management.base import BaseCommand
from drf_spectacular.generators import SchemaGenerator

from nexus.collab.services import catalog


class Command(BaseCommand):
    help = (
        "Put Nexus's own REST API in the catalog as its first entry, adding a version if changed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        schema = SchemaGenerator().get_schema(request=None, public=True)
        raw = json.dumps(schema, ensure_ascii=False, default=str)
        version, created = catalog.own_api_refresh(raw=raw)
        state = "added" if created else "unchanged at"
        self.stdout.write(
            f"Nexus API {state} version {version.number} ({version.breaking_count} breaking)."
        )
