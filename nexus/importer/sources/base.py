"""What every source yields, the limits they share, and how a source says it cannot be imported."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
SKIPPED_DIRECTORIES = {".git", "node_modules", "__MACOSX", ".venv", "venv"}


class SourceError(ValueError):
    """The source as a whole cannot be imported (bad URL, zip bomb, clone failed...)."""


def limit(name: str) -> int:
    """An importer limit from settings (NEXUS_IMPORT_*), with the defaults documented there."""
    return int(getattr(settings, f"NEXUS_IMPORT_{name}"))


@dataclass(frozen=True)
class LineOrigin:
    """One line of a file as its history tells it: its text and when it was first committed
    (its author's time); `written` is None when the history is cut before the line (a shallow
    clone) and the line may be older than anything the clone holds."""

    text: str
    written: dt.datetime | None


class LineHistory(Protocol):
    def lines(self) -> Sequence[LineOrigin] | None:
        """Each line of the file in order, or None when the history cannot be read. Computed
        on first use: only files with dated sections need it."""
        ...


@dataclass
class SourceFile:
    path: str
    data: bytes = b""
    skip_reason: str = ""
    # Where the file's lines came from, when the source keeps history (a git clone).
    history: LineHistory | None = None


@dataclass
class Source:
    """An opened source: its identity for idempotency (`key`) and its files."""

    key: str
    label: str
    kind: str
    repository: str = ""
    commit: str = ""
    files: list[SourceFile] = field(default_factory=list)


def is_markdown(path: str) -> bool:
    return path.lower().endswith(MARKDOWN_SUFFIXES)


def checked(path: str, data: bytes) -> SourceFile:
    """The file, or its skip reason when it is larger than one file may be."""
    if len(data) > limit("MAX_FILE_BYTES"):
        return SourceFile(path=path, skip_reason=f"larger than {limit('MAX_FILE_BYTES')} bytes")
    return SourceFile(path=path, data=data)
