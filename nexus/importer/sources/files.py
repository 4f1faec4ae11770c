"""Uploaded bytes (a Markdown file or a zip), and local files and folders (command line only)."""

import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from nexus.importer.sources.archives import zip_files
from nexus.importer.sources.base import (
    SKIPPED_DIRECTORIES,
    Source,
    SourceError,
    SourceFile,
    checked,
    is_markdown,
    limit,
)


def from_bytes(*, name: str, data: bytes, key: str) -> Source:
    """An uploaded Markdown file or zip archive (by its name)."""
    if name.lower().endswith(".zip"):
        return Source(key=key, label=name, kind="zip", files=list(zip_files(data)))
    safe_name = PurePosixPath(name.replace("\\", "/")).name or "upload.md"
    if not is_markdown(safe_name):
        raise SourceError("Upload a Markdown file (.md) or a .zip archive.")
    return Source(key=key, label=name, kind="file", files=[checked(safe_name, data)])


def from_path(path: Path) -> Source:
    """A local file, zip or folder (command line only)."""
    resolved = path.resolve()
    if resolved.is_dir():
        return Source(
            key=f"folder:{resolved}", label=str(path), kind="folder", files=list(folder(resolved))
        )
    if not resolved.is_file():
        raise SourceError(f"No such file or folder: {path}")
    if resolved.stat().st_size > limit("MAX_TOTAL_BYTES"):
        raise SourceError(f"{path} is larger than {limit('MAX_TOTAL_BYTES')} bytes.")
    return from_bytes(name=resolved.name, data=resolved.read_bytes(), key=f"path:{resolved}")


def folder(root: Path) -> Iterator[SourceFile]:
    """The Markdown files under `root`, symlinks and escapes reported, hidden git data left out."""
    total = 0
    count = 0
    for directory, subdirectories, filenames in os.walk(root, followlinks=False):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED_DIRECTORIES)
        for filename in sorted(filenames):
            full = Path(directory) / filename
            relative = full.relative_to(root).as_posix()
            if full.is_symlink():
                yield SourceFile(path=relative, skip_reason="symlink ignored")
                continue
            if not full.resolve().is_relative_to(root):
                yield SourceFile(path=relative, skip_reason="path escapes the source")
                continue
            if not is_markdown(filename):
                continue
            count += 1
            if count > limit("MAX_FILES"):
                raise SourceError(f"More than {limit('MAX_FILES')} Markdown files.")
            size = full.stat().st_size
            total += size
            if total > limit("MAX_TOTAL_BYTES"):
                raise SourceError(f"More than {limit('MAX_TOTAL_BYTES')} bytes of Markdown.")
            if size > limit("MAX_FILE_BYTES"):
                yield SourceFile(
                    path=relative, skip_reason=f"larger than {limit('MAX_FILE_BYTES')} bytes"
                )
                continue
            yield SourceFile(path=relative, data=full.read_bytes())
