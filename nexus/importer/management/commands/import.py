"""`nexus import SOURCE`: a Markdown file, a folder, a .zip, or a git repository URL."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nexus.accounts.models import User
from nexus.importer import sources
from nexus.importer.pipeline import run_import
from nexus.importer.report import ProgressBar, summary_lines
from nexus.importer.sources import SourceError


class Command(BaseCommand):
    help = "Import Markdown journals and docs (file, folder, .zip or git URL) into Nexus."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="a .md file, a folder, a .zip, or a git repository URL")
        parser.add_argument(
            "--user", default="", help="e-mail of the author (default: the first admin)"
        )
        parser.add_argument("--dry-run", action="store_true", help="show what would happen")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        owner = self._owner(options["user"])
        value: str = options["source"]
        stream = options.get("stderr") or sys.stderr
        progress = None if options["no_progress"] else ProgressBar(stream)
        path = Path(value)
        try:
            if path.exists() and not (path / ".git").exists():
                report = run_import(
                    owner=owner,
                    source=sources.from_path(path),
                    dry_run=options["dry_run"],
                    progress=progress,
                )
            elif path.exists() or sources.looks_like_git_url(value):
                with sources.cloned(value, allow_local=True) as source:
                    report = run_import(
                        owner=owner, source=source, dry_run=options["dry_run"], progress=progress
                    )
            else:
                raise SourceError(f"No such file, folder or repository: {value}")
        except SourceError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            self.stdout.write("\n".join(summary_lines(report)))
        if report["files"]["failed"]:
            raise CommandError(f"{report['files']['failed']} file(s) failed to import.")

    def _owner(self, email: str) -> User:
        if email:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                raise CommandError(f"No user with e-mail {email}.")
            return user
        user = User.objects.filter(is_superuser=True).order_by("pk").first()
        if user is None:
            raise CommandError("No admin user yet: run `nexus bootstrap` or pass --user.")
        return user
