"""`nexus load_demo`: import the demo journal and docs in nexus/importer/demo/, then build the
showcase around them (nexus/importer/showcase.py); both are idempotent."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from nexus.accounts.models import User
from nexus.importer import sources
from nexus.importer.pipeline import run_import
from nexus.importer.showcase import load_showcase

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_AUTHOR = "demo@nexus.local"


class Command(BaseCommand):
    help = "Load the demo learning journal and docs through the importer (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        author = User.objects.filter(email__iexact=DEMO_AUTHOR).first()
        if author is None:
            author = User.objects.create_user(DEMO_AUTHOR, None, display_name="Nexus Demo")
        source = sources.from_path(DEMO_DIR)
        source.key = "demo:nexus"
        report = run_import(owner=author, source=source)
        totals = report["totals"]
        self.stdout.write(
            f"Demo content: {totals['created']} created, {totals['updated']} updated, "
            f"{totals['unchanged']} unchanged."
        )
        created = load_showcase(author=author)
        made = ", ".join(f"{count} {what}" for what, count in created.items()) or "nothing new"
        self.stdout.write(f"Showcase: {made}.")
