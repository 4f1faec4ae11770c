from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from nexus.search import registry, services


class Command(BaseCommand):
    help = "Rebuild the search index from the objects each app registers (all types by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--type",
            action="append",
            dest="types",
            choices=sorted(registry.providers()),
            help="Only this document type (repeatable).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = services.index_rebuild(doc_types=options["types"])
        for doc_type, count in sorted(counts.items()):
            self.stdout.write(f"{doc_type}: {count} documents")
