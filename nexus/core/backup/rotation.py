"""Which archives to keep: the newest NEXUS_BACKUP_KEEP_DAILY daily ones and the newest
NEXUS_BACKUP_KEEP_WEEKLY weekly ones. The first backup of each ISO week (UTC) is the weekly one,
so a week whose Sunday run failed still has one."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from nexus.core.backup.archive import CHECKSUM_SUFFIX, ENCRYPTED_SUFFIX

DAILY = "daily"
WEEKLY = "weekly"
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(
    r"^nexus-(?P<stamp>\d{8}T\d{6}Z)-(?P<kind>daily|weekly)\.tar\.gz(?P<encrypted>\.enc)?$"
)


@dataclass(frozen=True)
class Archive:
    name: str
    taken_at: dt.datetime
    kind: str


def archive_name(taken_at: dt.datetime, kind: str, *, encrypted: bool) -> str:
    stamp = taken_at.astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)
    return f"nexus-{stamp}-{kind}.tar.gz" + (ENCRYPTED_SUFFIX if encrypted else "")


def parse_archives(names: list[str]) -> list[Archive]:
    """The archives among these file names (sidecars and strangers ignored), oldest first."""
    archives = []
    for name in names:
        if match := _NAME.match(name):
            taken_at = dt.datetime.strptime(match["stamp"], TIMESTAMP_FORMAT).replace(tzinfo=dt.UTC)
            archives.append(Archive(name, taken_at, match["kind"]))
    return sorted(archives, key=lambda archive: archive.taken_at)


def kind_for(taken_at: dt.datetime, existing: list[Archive]) -> str:
    """Weekly when no weekly archive was taken yet in this ISO week, daily otherwise."""
    week = taken_at.astimezone(dt.UTC).isocalendar()[:2]
    if any(
        archive.kind == WEEKLY and archive.taken_at.isocalendar()[:2] == week
        for archive in existing
    ):
        return DAILY
    return WEEKLY


def to_delete(
    archives: list[Archive], *, keep_daily: int, keep_weekly: int, just_written: str
) -> list[str]:
    """Names of the archives rotation removes (their sidecars go with them); never the one
    just written, whatever the clock says about it."""
    kept: set[str] = {just_written}
    for kind, keep in ((DAILY, keep_daily), (WEEKLY, keep_weekly)):
        newest_first = [archive for archive in reversed(archives) if archive.kind == kind]
        kept.update(archive.name for archive in newest_first[:keep])
    return [archive.name for archive in archives if archive.name not in kept]


def sidecar(name: str) -> str:
    return name + CHECKSUM_SUFFIX
