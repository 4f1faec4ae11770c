"""Zip archives, judged on what their directory declares before a byte of them is inflated.

An archive is refused as a whole when it holds more entries than an import takes, declares more
bytes than an import may expand to, inflates like a zip bomb, or needs a password or a compression
method we do not read. Entries that are merely unwanted (paths escaping the archive, symlinks,
non-Markdown, oversized files) are left out with a reason. Headers can lie, so reading is capped
again: one file at its limit plus a byte, the archive at the total limit.
"""

import io
import lzma
import stat
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import PurePosixPath

from nexus.importer.sources.base import (
    SKIPPED_DIRECTORIES,
    SourceError,
    SourceFile,
    checked,
    is_markdown,
    limit,
)

SYMLINK_MODE = 0o120000
ENCRYPTED_FLAG = 0x1
READABLE_COMPRESSION = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
# Markdown deflates three to ten times; an archive of text inflating a hundredfold is a bomb. Tiny
# archives are exempt: a few repetitive notes can compress that well and do no harm.
MAX_COMPRESSION_RATIO = 100
RATIO_EXEMPT_BYTES = 1024 * 1024
DAMAGED = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError)


def check_zip(data: bytes) -> None:
    """Refuse an archive that may not be imported, reading only its directory."""
    with _opened(data) as archive:
        _check_directory(archive.infolist(), archive_bytes=len(data))


def zip_files(data: bytes) -> Iterator[SourceFile]:
    """The archive's Markdown files, once the archive as a whole passed `check_zip`."""
    with _opened(data) as archive:
        entries = archive.infolist()
        _check_directory(entries, archive_bytes=len(data))
        total = 0
        for info in entries:
            reason = _left_out_because(info)
            if reason is not None:
                if reason:
                    yield SourceFile(path=info.filename, skip_reason=reason)
                continue
            content = _read(archive, info)
            total += len(content)
            if total > limit("MAX_TOTAL_BYTES"):
                raise SourceError("The archive expands past the size limit (zip bomb?).")
            yield checked(info.filename, content)


def _opened(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (*DAMAGED, ValueError) as exc:
        raise SourceError("The file is not a valid zip archive.") from exc


def _check_directory(entries: list[zipfile.ZipInfo], *, archive_bytes: int) -> None:
    # Every entry counts, folders and files we would leave out too: they all cost time.
    if len(entries) > limit("MAX_FILES"):
        raise SourceError(
            f"The archive holds {len(entries):,} entries; an import takes at most "
            f"{limit('MAX_FILES'):,} (files and folders)."
        )
    declared = sum(info.file_size for info in entries)
    if declared > limit("MAX_TOTAL_BYTES"):
        raise SourceError(
            f"The archive expands to more than {limit('MAX_TOTAL_BYTES')} bytes (zip bomb?)."
        )
    if declared > RATIO_EXEMPT_BYTES and declared > MAX_COMPRESSION_RATIO * archive_bytes:
        raise SourceError(
            f"The archive inflates {declared // max(archive_bytes, 1)} times its size (zip bomb?)."
        )
    for info in entries:
        if _left_out_because(info) is not None:
            continue
        if info.flag_bits & ENCRYPTED_FLAG:
            raise SourceError(f'"{info.filename}" is encrypted: upload it without a password.')
        if info.compress_type not in READABLE_COMPRESSION:
            raise SourceError(
                f'"{info.filename}" is compressed with a method the importer cannot read; '
                "zip it again with the usual (deflate) compression."
            )


def _left_out_because(info: zipfile.ZipInfo) -> str | None:
    """None for an entry to read; why it is left out ("" when not worth reporting)."""
    name = info.filename
    if info.is_dir():
        return ""
    if _escapes_the_archive(name):
        return "refused: path escapes the archive"
    if stat.S_IFMT(info.external_attr >> 16) == SYMLINK_MODE:
        return "symlink ignored"
    if any(part in SKIPPED_DIRECTORIES for part in PurePosixPath(name).parts):
        return ""
    if not is_markdown(name):
        return ""
    if info.file_size > limit("MAX_FILE_BYTES"):
        return f"larger than {limit('MAX_FILE_BYTES')} bytes"
    return None


def _escapes_the_archive(name: str) -> bool:
    normalised = name.replace("\\", "/")
    parts = PurePosixPath(normalised).parts
    return (
        normalised.startswith("/")
        or ".." in parts
        or (len(normalised) > 1 and normalised[1] == ":")
    )


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """At most one byte past the file limit: the declared size can lie."""
    try:
        with archive.open(info) as handle:
            return handle.read(limit("MAX_FILE_BYTES") + 1)
    except DAMAGED as exc:
        raise SourceError(f'"{info.filename}" in the archive is damaged ({exc}).') from exc
