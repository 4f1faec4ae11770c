"""The archive: a tar.gz of the dump, the media files and manifest.json (versions, row counts,
the sha256 of every member), its own sha256 in a sidecar file, optionally encrypted.

Encryption is Fernet (AES-128-CBC with HMAC-SHA256) over chunks of 1 MiB, so a large archive
never sits in memory whole. Each chunk carries its position and whether it is the last one
inside the authenticated token, so chunks dropped, reordered or cut off at the end are refused,
not silently restored as a shorter archive.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from cryptography.fernet import Fernet, InvalidToken

from nexus.core.backup.dump import BackupError

MANIFEST = "manifest.json"
MEDIA_FOLDER = "media"
CHECKSUM_SUFFIX = ".sha256"
ENCRYPTED_SUFFIX = ".enc"
CHUNK_BYTES = 1024 * 1024
_CHUNK_HEADER = struct.Struct(">Q?")  # position, is-last
_TOKEN_LENGTH = struct.Struct(">I")


class _HashingReader(io.RawIOBase):
    """A file read through once, its sha256 taken on the way into the tar."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def write_archive(
    target: Path, *, dump: Path, media_root: Path | None, manifest: dict[str, Any]
) -> dict[str, Any]:
    """Write the tar.gz at `target`; returns the manifest completed with every member's sha256
    (the manifest goes in last, once every hash is known)."""
    members: dict[str, str] = {}
    with tarfile.open(target, "w:gz") as tar:
        _add_file(tar, dump, dump.name, members)
        for path in media_files(media_root):
            relative = path.relative_to(media_root).as_posix()  # type: ignore[arg-type]
            _add_file(tar, path, f"{MEDIA_FOLDER}/{relative}", members)
        manifest = {**manifest, "members": members}
        body = json.dumps(manifest, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    return manifest


def media_files(media_root: Path | None) -> list[Path]:
    """Every regular file under MEDIA_ROOT (none when it does not exist yet)."""
    if media_root is None or not media_root.is_dir():
        return []
    return sorted(
        path for path in media_root.rglob("*") if path.is_file() and not path.is_symlink()
    )


def _add_file(tar: tarfile.TarFile, path: Path, name: str, members: dict[str, str]) -> None:
    info = tar.gettarinfo(str(path), arcname=name)
    with path.open("rb") as stream:
        reader = _HashingReader(stream)
        tar.addfile(info, reader)
    members[name] = reader.digest.hexdigest()


def extract_archive(archive: Path, folder: Path) -> dict[str, Any]:
    """Unpack into `folder` (names escaping it refused by tarfile's data filter) and check every
    member against the manifest; returns the manifest."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(folder, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"The archive cannot be read: {exc}") from exc
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BackupError("The archive has no manifest.json: not a Nexus backup.")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text())
    for name, expected in manifest.get("members", {}).items():
        member = folder / name
        if not member.is_file() or file_sha256(member) != expected:
            raise BackupError(f"{name} does not match the manifest's checksum: refusing it.")
    return manifest


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def write_checksum(archive: Path) -> Path:
    """The sidecar `<archive>.sha256`, in sha256sum's format (`sha256sum -c` checks it)."""
    sidecar = archive.with_name(archive.name + CHECKSUM_SUFFIX)
    sidecar.write_text(f"{file_sha256(archive)}  {archive.name}\n")
    return sidecar


def verify_checksum(archive: Path) -> None:
    """Refuse an archive whose bytes are not the ones its sidecar names (tampered, truncated)."""
    sidecar = archive.with_name(archive.name + CHECKSUM_SUFFIX)
    if not sidecar.is_file():
        raise BackupError(
            f"The checksum file {sidecar.name} is missing: the archive cannot be checked."
        )
    expected = next(iter(sidecar.read_text().split()), "")
    if file_sha256(archive) != expected:
        raise BackupError(
            f"{archive.name} does not match its checksum ({sidecar.name}): it was changed or cut "
            "short. Refusing to restore it."
        )


def fernet_for(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except ValueError as exc:
        raise BackupError(
            "NEXUS_BACKUP_KEY is not a Fernet key (32 url-safe base64-encoded bytes); "
            "docs/backups.md shows how to make one."
        ) from exc


def encrypt_file(source: Path, target: Path, key: str) -> None:
    fernet = fernet_for(key)
    with source.open("rb") as reader, target.open("wb") as writer:
        for position, (chunk, last) in enumerate(_chunks(reader)):
            token = fernet.encrypt(_CHUNK_HEADER.pack(position, last) + chunk)
            writer.write(_TOKEN_LENGTH.pack(len(token)) + token)


def decrypt_file(source: Path, target: Path, key: str) -> None:
    fernet = fernet_for(key)
    position = 0
    last = False
    with source.open("rb") as reader, target.open("wb") as writer:
        while header := reader.read(_TOKEN_LENGTH.size):
            if last:
                raise BackupError(
                    "The encrypted archive goes on after its last chunk: refusing it."
                )
            (length,) = _TOKEN_LENGTH.unpack(header) if len(header) == _TOKEN_LENGTH.size else (0,)
            token = reader.read(length)
            try:
                plain = fernet.decrypt(token)
            except InvalidToken as exc:
                raise BackupError(
                    "The archive cannot be decrypted: wrong NEXUS_BACKUP_KEY, or the file was "
                    "changed."
                ) from exc
            found, last = _CHUNK_HEADER.unpack_from(plain)
            if found != position:
                raise BackupError("The encrypted archive's chunks are out of order: refusing it.")
            writer.write(plain[_CHUNK_HEADER.size :])
            position += 1
    if not last:
        raise BackupError("The encrypted archive is cut short: refusing it.")


def _chunks(reader: IO[bytes]) -> Iterator[tuple[bytes, bool]]:
    chunk = reader.read(CHUNK_BYTES)
    while True:
        following = reader.read(CHUNK_BYTES)
        yield chunk, not following
        if not following:
            return
        chunk = following
