"""`nexus backup`: dump the database and the media files into one archive, store it, rotate."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from nexus.core.backup.dump import BackupError
from nexus.core.backup.run import backup


class Command(BaseCommand):
    help = (
        "Back up the database and media files to NEXUS_BACKUP_DIR or NEXUS_BACKUP_S3_BUCKET "
        "(encrypted with NEXUS_BACKUP_KEY when set), keeping 7 daily and 4 weekly archives."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup()
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(result.row_counts.values())
        self.stdout.write(
            f"{result.name} ({result.kind}, {result.size:,} bytes) in {result.location}: "
            f"{len(result.row_counts)} tables, {rows:,} rows, {result.media_files} media files."
        )
        for name in result.deleted:
            self.stdout.write(f"rotated out: {name}")
