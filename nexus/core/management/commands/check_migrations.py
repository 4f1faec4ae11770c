"""`manage.py check_migrations`: the expand/contract check of make migrations-check;
`--release` records every current migration as released (docs/deploy.md)."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from nexus.core.migration_safety import BASELINE, MigrationCheckError, check_project, write_baseline


class Command(BaseCommand):
    help = (
        "Refuse migrations, new since the previous release, that would break the code of that "
        "release or lock one of its tables; --release records the current ones as released."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--baseline", type=Path, default=BASELINE, help="released migrations")
        parser.add_argument(
            "--release", action="store_true", help="write every current migration as released"
        )

    def handle(self, *args: Any, baseline: Path, release: bool, **options: Any) -> None:
        if release:
            count = write_baseline(baseline)
            self.stdout.write(f"{baseline}: {count} migrations recorded as released")
            return
        try:
            report = check_project(baseline)
        except MigrationCheckError as error:
            raise CommandError(str(error)) from error
        for finding, reason in report.reviewed:
            self.stdout.write(f"accepted by review ({reason}):\n{finding}")
        if not report.ok:
            findings = "\n".join(str(finding) for finding in report.refused)
            raise CommandError(
                f"{len(report.refused)} operation(s) would break the previous release or lock "
                f"one of its tables during the deploy:\n{findings}\n"
                "(docs/deploy.md, 'Migrations: expand, then contract')"
            )
        self.stdout.write(
            f"expand/contract: {len(report.checked)} migration(s) new since the previous "
            f"release, none refused"
            + (f" ({len(report.reviewed)} accepted by review)" if report.reviewed else "")
        )
