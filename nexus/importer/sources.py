"""Where Markdown comes from: a file, a folder, a zip, or a shallow git clone; all bounded.

Every source yields `SourceFile`s with paths relative to the source root. Unsafe or unwanted
entries (symlinks, paths escaping the root, binaries, huge files, non-Markdown) come through with a
`skip_reason` so the report can say why they were left out.
"""

import io
import os
import shutil
import stat
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings

from nexus.core.outbound import UnsafeURLError, check_url

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
SKIPPED_DIRECTORIES = {".git", "node_modules", "__MACOSX", ".venv", "venv"}
SYMLINK_MODE = 0o120000
GIT = shutil.which("git") or "/usr/bin/git"


class SourceError(ValueError):
    """The source as a whole cannot be imported (bad URL, zip bomb, clone failed...)."""


def limit(name: str) -> int:
    """An importer limit from settings (NEXUS_IMPORT_*), with the defaults documented there."""
    return int(getattr(settings, f"NEXUS_IMPORT_{name}"))


@dataclass
class SourceFile:
    path: str
    data: bytes = b""
    skip_reason: str = ""


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


def _checked(path: str, data: bytes) -> SourceFile:
    if len(data) > limit("MAX_FILE_BYTES"):
        return SourceFile(path=path, skip_reason=f"larger than {limit('MAX_FILE_BYTES')} bytes")
    return SourceFile(path=path, data=data)


def from_bytes(*, name: str, data: bytes, key: str) -> Source:
    """An uploaded Markdown file or zip archive (by its name)."""
    if name.lower().endswith(".zip"):
        return Source(key=key, label=name, kind="zip", files=list(_zip_files(data)))
    safe_name = PurePosixPath(name.replace("\\", "/")).name or "upload.md"
    if not is_markdown(safe_name):
        raise SourceError("Upload a Markdown file (.md) or a .zip archive.")
    return Source(key=key, label=name, kind="file", files=[_checked(safe_name, data)])


def from_path(path: Path) -> Source:
    """A local file, zip or folder (command line only)."""
    resolved = path.resolve()
    if resolved.is_dir():
        return Source(
            key=f"folder:{resolved}", label=str(path), kind="folder", files=list(_folder(resolved))
        )
    if not resolved.is_file():
        raise SourceError(f"No such file or folder: {path}")
    if resolved.stat().st_size > limit("MAX_TOTAL_BYTES"):
        raise SourceError(f"{path} is larger than {limit('MAX_TOTAL_BYTES')} bytes.")
    return from_bytes(name=resolved.name, data=resolved.read_bytes(), key=f"path:{resolved}")


def _folder(root: Path) -> Iterator[SourceFile]:
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


def _unsafe_zip_name(name: str) -> bool:
    normalised = name.replace("\\", "/")
    parts = PurePosixPath(normalised).parts
    return (
        normalised.startswith("/")
        or ".." in parts
        or (len(normalised) > 1 and normalised[1] == ":")
    )


def _zip_files(data: bytes) -> Iterator[SourceFile]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SourceError("The file is not a valid zip archive.") from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > limit("MAX_FILES") * 5:
            raise SourceError("The archive holds too many entries.")
        declared = sum(info.file_size for info in entries)
        if declared > limit("MAX_TOTAL_BYTES"):
            raise SourceError(
                f"The archive expands to more than {limit('MAX_TOTAL_BYTES')} bytes (zip bomb?)."
            )
        total = 0
        for info in entries:
            name = info.filename
            if info.is_dir():
                continue
            if _unsafe_zip_name(name):
                yield SourceFile(path=name, skip_reason="refused: path escapes the archive")
                continue
            if stat.S_IFMT(info.external_attr >> 16) == SYMLINK_MODE:
                yield SourceFile(path=name, skip_reason="symlink ignored")
                continue
            if any(part in SKIPPED_DIRECTORIES for part in PurePosixPath(name).parts):
                continue
            if not is_markdown(name):
                continue
            if info.file_size > limit("MAX_FILE_BYTES"):
                yield SourceFile(
                    path=name, skip_reason=f"larger than {limit('MAX_FILE_BYTES')} bytes"
                )
                continue
            # The header's size can lie: read at most one byte past the limit.
            with archive.open(info) as handle:
                content = handle.read(limit("MAX_FILE_BYTES") + 1)
            total += len(content)
            if total > limit("MAX_TOTAL_BYTES"):
                raise SourceError("The archive expands past the size limit (zip bomb?).")
            yield _checked(name, content)


# --- git ------------------------------------------------------------------------------------------


def _check_public_host(host: str) -> None:
    """Refuse hosts resolving to private, loopback, link-local, metadata or reserved addresses."""
    if not host:
        raise SourceError("The repository URL has no host.")
    try:
        check_url(f"https://{host}/", allow_schemes=("https",))
    except UnsafeURLError as exc:
        raise SourceError(f"The repository host is refused: {exc}") from exc


def check_git_url(url: str, *, allow_local: bool) -> str:
    """The URL if it may be cloned: https or ssh anywhere; file:// and paths from the CLI only."""
    url = url.strip()
    if url.startswith("-"):
        raise SourceError("Not a repository URL.")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # unbalanced brackets, a bad port: urlsplit is strict about those
        raise SourceError(f"Not a repository URL: {exc}.") from exc
    if parts.scheme in ("https", "ssh"):
        if parts.scheme == "https" and (parts.username or parts.password):
            raise SourceError("Credentials in repository URLs are not accepted.")
        if parts.scheme == "https":
            try:
                check_url(url, allow_schemes=("https",))
            except UnsafeURLError as exc:
                raise SourceError(f"The repository URL is refused: {exc}") from exc
        else:
            _check_public_host(parts.hostname or "")
        return url
    if not parts.scheme and "@" in url and ":" in url.split("@", 1)[1]:
        # scp-like ssh: git@host:owner/repo.git
        _check_public_host(url.split("@", 1)[1].split(":", 1)[0])
        return url
    if allow_local and (parts.scheme == "file" or (not parts.scheme and Path(url).exists())):
        return url
    raise SourceError("Use an https:// or ssh:// repository URL.")


def _tree_size(root: Path) -> int:
    total = 0
    for directory, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(directory, name)).st_size
            except OSError:
                continue
    return total


def _git_env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": tempfile.gettempdir(),
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=10",
        "GIT_LFS_SKIP_SMUDGE": "1",
    }


def _run_clone(command: list[str], target: Path) -> None:
    """Run `git clone`, killing it past the time or size limit."""
    deadline = time.monotonic() + limit("GIT_TIMEOUT_SECONDS")
    process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        command, env=_git_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    while process.poll() is None:
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise SourceError("The clone took longer than the time limit.")
        if target.exists() and _tree_size(target) > limit("GIT_MAX_BYTES"):
            process.kill()
            process.wait()
            raise SourceError("The repository is larger than the size limit.")
        time.sleep(0.1)
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.returncode != 0:
        raise SourceError(f"git clone failed: {stderr.strip()[-300:]}")
    if _tree_size(target) > limit("GIT_MAX_BYTES"):
        raise SourceError("The repository is larger than the size limit.")


@contextmanager
def cloned(url: str, *, allow_local: bool = False) -> Iterator[Source]:
    """A shallow clone of `url` in a temporary folder, removed afterwards."""
    url = check_git_url(url, allow_local=allow_local)
    workdir = Path(tempfile.mkdtemp(prefix="nexus-import-"))
    target = workdir / "repo"
    protocols = ["-c", "protocol.allow=never", "-c", "protocol.https.allow=always"]
    protocols += ["-c", "protocol.ssh.allow=always"]
    if allow_local:
        protocols += ["-c", "protocol.file.allow=always"]
    command = [GIT, *protocols, "-c", "core.symlinks=false", "clone", "--depth", "1"]
    command += ["--single-branch", "--no-tags", "--quiet", "--", url, str(target)]
    try:
        _run_clone(command, target)
        commit = subprocess.run(  # noqa: S603
            [GIT, "-C", str(target), "rev-parse", "HEAD"],
            env=_git_env(),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout.strip()
        yield Source(
            key=f"git:{url}",
            label=url,
            kind="git",
            repository=url,
            commit=commit,
            files=list(_folder(target)),
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def looks_like_git_url(value: str) -> bool:
    parts = urlsplit(value)
    return (
        value.endswith(".git")
        or parts.scheme in ("ssh", "git", "file")
        or (parts.scheme in ("http", "https") and bool(parts.netloc))
        or (not parts.scheme and "@" in value and ":" in value)
    )
