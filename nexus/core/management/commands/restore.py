"""`nexus restore ARCHIVE`: check, decrypt and restore a backup into an empty database."""

import tempfile
import warnings
from pathlib import Path
from typing import Any

import environ
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from nexus.core.backup import archive as archives
from nexus.core.backup.dump import POSTGRESQL, SQLITE, BackupError, Database
from nexus.core.backup.restore import RestoreResult, restore
from nexus.core.backup.storage import configured_destination


class Command(BaseCommand):
    help = (
        "Restore a backup archive (a path, or a name in the backup destination) into an empty "
        "database and MEDIA_ROOT, then compare row counts with the archive's manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the archive's path, or its name in the destination")
        parser.add_argument(
            "--database-url", default="", help="restore there instead of DATABASE_URL"
        )
        parser.add_argument(
            "--force", action="store_true", help="replace everything in a non-empty database"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        database = self._database(options["database_url"])
        media_root = None if settings.NEXUS_MEDIA_S3_BUCKET else Path(settings.MEDIA_ROOT)
        try:
            with tempfile.TemporaryDirectory(prefix="nexus-fetch-") as scratch:
                archive = self._archive(options["archive"], Path(scratch))
                result = restore(
                    archive,
                    database=database,
                    media_root=media_root,
                    key=settings.NEXUS_BACKUP_KEY,
                    force=options["force"],
                )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("\n".join(report_lines(result)))
        if result.differences:
            raise CommandError(f"{len(result.differences)} table(s) differ from the backup.")

    def _database(self, url: str) -> Database:
        if not url:
            return Database.from_settings(settings.DATABASES["default"])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # django-environ warns, then returns {}
                entry = environ.Env.db_url_config(url)
        except (ValueError, ImproperlyConfigured) as exc:
            raise CommandError(f"--database-url is not a database URL: {exc}") from exc
        if entry.get("ENGINE") not in (POSTGRESQL, SQLITE) or not entry.get("NAME"):
            raise CommandError(
                "--database-url must name a PostgreSQL database (postgres://user@host/name) or "
                "a SQLite file (sqlite:////path/to/file)."
            )
        return Database.from_settings(entry)

    def _archive(self, value: str, scratch: Path) -> Path:
        path = Path(value)
        if path.is_file():
            return path
        if "/" in value:
            raise CommandError(f"No such archive: {value}")
        destination = configured_destination()
        try:
            destination.fetch(value, scratch / value)
            destination.fetch(
                value + archives.CHECKSUM_SUFFIX, scratch / (value + archives.CHECKSUM_SUFFIX)
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        return scratch / value


def report_lines(result: RestoreResult) -> list[str]:
    """The row counts table: table, rows in the backup, rows restored, match."""
    width = max((len(table.table) for table in result.tables), default=5)
    lines = [
        f"Restored the backup taken at {result.taken_at}.",
        f"{'table':<{width}}  backup  restored  match",
    ]
    lines += [
        f"{table.table:<{width}}  {table.in_backup:>6}  {table.restored:>8}  "
        f"{'yes' if table.matches else 'NO'}"
        for table in result.tables
    ]
    lines.append(
        f"{len(result.tables)} tables, {len(result.differences)} differences, "
        f"{result.media_files} media files."
    )
    return lines
