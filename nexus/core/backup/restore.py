"""The way back: check an archive, unpack it, restore the database into an empty one, put the
media files back, and compare the restored row counts with the manifest's."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nexus.core.backup import archive as archives
from nexus.core.backup.dump import (
    PG_DUMP_FILE,
    SQLITE_FILE,
    BackupError,
    Database,
    pg_restore_command,
    pg_tool,
    postgresql_row_counts,
    postgresql_tables,
    run_client,
    sqlite_row_counts,
)


@dataclass(frozen=True)
class TableCount:
    table: str
    in_backup: int
    restored: int

    @property
    def matches(self) -> bool:
        return self.in_backup == self.restored


@dataclass(frozen=True)
class RestoreResult:
    taken_at: str
    tables: list[TableCount]
    media_files: int

    @property
    def differences(self) -> list[TableCount]:
        return [table for table in self.tables if not table.matches]


def restore(
    archive: Path,
    *,
    database: Database,
    media_root: Path | None,
    key: str = "",
    force: bool = False,
) -> RestoreResult:
    """Restore `archive` into `database` (refused unless empty, or `force`) and `media_root`."""
    archives.verify_checksum(archive)
    with tempfile.TemporaryDirectory(prefix="nexus-restore-") as scratch:
        folder = Path(scratch)
        plain = archive
        if archive.name.endswith(archives.ENCRYPTED_SUFFIX):
            if not key:
                raise BackupError("The archive is encrypted: set NEXUS_BACKUP_KEY to its key.")
            plain = folder / "archive.tar.gz"
            archives.decrypt_file(archive, plain, key)
        contents = folder / "contents"
        manifest = archives.extract_archive(plain, contents)
        engine = str(manifest.get("database", {}).get("engine", ""))
        if engine != database.engine:
            raise BackupError(
                f"The archive holds a {engine.rsplit('.', 1)[-1]} database; the target is "
                f"{database.engine.rsplit('.', 1)[-1]}: restore it into the same kind."
            )
        if database.is_postgresql:
            restored = _restore_postgresql(contents / PG_DUMP_FILE, database, force=force)
        else:
            restored = _restore_sqlite(contents / SQLITE_FILE, database, force=force)
        media = _restore_media(contents / archives.MEDIA_FOLDER, media_root)
    expected: dict[str, int] = manifest["row_counts"]
    tables = [
        TableCount(table, expected.get(table, 0), restored.get(table, 0))
        for table in sorted(set(expected) | set(restored))
    ]
    return RestoreResult(taken_at=manifest["taken_at"], tables=tables, media_files=media)


def _restore_postgresql(dump: Path, database: Database, *, force: bool) -> dict[str, int]:
    with database.connect(autocommit=True) as connection:
        if postgresql_tables(connection):
            if not force:
                raise BackupError(
                    f"The database {database.name} is not empty: restore into an empty one, or "
                    "pass --force to replace everything in it."
                )
            connection.execute("DROP SCHEMA public CASCADE")
            connection.execute("CREATE SCHEMA public")
        version = connection.info.server_version
    run_client(pg_restore_command(pg_tool("pg_restore", version), dump, database.name), database)
    with database.connect() as connection:
        return postgresql_row_counts(connection)


def _restore_sqlite(copy: Path, database: Database, *, force: bool) -> dict[str, int]:
    target = Path(database.name)
    if target.exists() and sqlite_row_counts(target) and not force:
        raise BackupError(
            f"The database {target} is not empty: restore into an empty one, or pass --force "
            "to replace everything in it."
        )
    with sqlite3.connect(copy) as source, sqlite3.connect(target) as destination:
        source.backup(destination)
    return sqlite_row_counts(target)


def _restore_media(folder: Path, media_root: Path | None) -> int:
    files = archives.media_files(folder)
    if media_root is None:
        return 0
    for path in files:
        target = media_root / path.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return len(files)
