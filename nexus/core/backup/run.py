"""A backup from end to end: dump, archive, encrypt, checksum, store, rotate."""

from __future__ import annotations

import platform
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import django
from django.conf import settings

from nexus.core import clock
from nexus.core.backup import archive as archives
from nexus.core.backup import rotation
from nexus.core.backup.dump import Database, dump_database
from nexus.core.backup.storage import Destination, configured_destination

MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class BackupResult:
    name: str
    kind: str
    location: str
    size: int
    row_counts: dict[str, int]
    media_files: int
    deleted: list[str] = field(default_factory=list)


def backup(
    *,
    destination: Destination | None = None,
    database: Database | None = None,
    media_root: Path | None = None,
    key: str | None = None,
) -> BackupResult:
    """Back up the database and the media files to `destination` (the configured one by
    default), then rotate what is there."""
    destination = destination or configured_destination()
    database = database or Database.from_settings(settings.DATABASES["default"])
    key = settings.NEXUS_BACKUP_KEY if key is None else key
    if media_root is None and not settings.NEXUS_MEDIA_S3_BUCKET:
        media_root = Path(settings.MEDIA_ROOT)
    if key:
        archives.fernet_for(key)  # a bad key fails before the dump, not after it
    taken_at = clock.now()
    existing = rotation.parse_archives(destination.names())
    kind = rotation.kind_for(taken_at, existing)
    name = rotation.archive_name(taken_at, kind, encrypted=bool(key))
    with tempfile.TemporaryDirectory(prefix="nexus-backup-") as scratch:
        folder = Path(scratch)
        dump_name, counts, server = dump_database(database, folder)
        manifest = _manifest(taken_at.isoformat(), kind, database, server, counts, media_root)
        plain = folder / rotation.archive_name(taken_at, kind, encrypted=False)
        archives.write_archive(
            plain, dump=folder / dump_name, media_root=media_root, manifest=manifest
        )
        final = folder / name
        if key:
            archives.encrypt_file(plain, final, key)
        sidecar = archives.write_checksum(final)
        size = final.stat().st_size
        destination.put(final)
        destination.put(sidecar)
    deleted = rotation.to_delete(
        rotation.parse_archives(destination.names()),
        keep_daily=settings.NEXUS_BACKUP_KEEP_DAILY,
        keep_weekly=settings.NEXUS_BACKUP_KEEP_WEEKLY,
        just_written=name,
    )
    for old in deleted:
        destination.delete(old)
        destination.delete(rotation.sidecar(old))
    return BackupResult(
        name=name,
        kind=kind,
        location=destination.describe(),
        size=size,
        row_counts=counts,
        media_files=len(archives.media_files(media_root)),
        deleted=deleted,
    )


def _manifest(
    taken_at: str,
    kind: str,
    database: Database,
    server: str,
    counts: dict[str, int],
    media_root: Path | None,
) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "taken_at": taken_at,
        "kind": kind,
        "versions": {
            "nexus": metadata.version("nexus"),
            "django": django.get_version(),
            "python": platform.python_version(),
            "database": server,
        },
        "database": {"engine": database.engine},
        "row_counts": counts,
        # Media in a bucket stay there (its versioning is their backup); see docs/backups.md.
        "media": "included" if media_root is not None else "in the media bucket, not included",
    }
