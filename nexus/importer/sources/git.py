"""Shallow clones of git repositories that connect only where the outbound-URL guard allows.

A clone keeps up to HISTORY_DEPTH commits: enough to tell when each line of a journal was first
committed (the journal sink dates a month by it, through `BlameHistory`), bounded so that a long
history costs no more than that; a line older than the cut has no known date.

`git clone` resolves names and follows redirects by itself, so a URL checked once and then handed
to it can be sent elsewhere: by a DNS answer that changes after the check (rebinding) or by a
redirect (a 302 once sent a clone to 127.0.0.1). So, for a repository URL:
- it is checked again when the clone starts, and git connects only to the addresses that check
  returned (curl's resolve list): git never asks DNS itself;
- git follows no redirect. The repository's first URL is requested through core.outbound before
  cloning, and a redirect is followed only to a URL that passes the same checks;
- git runs with an empty HOME of its own, no system or global configuration, no credential
  helper, no prompt, https only, and an environment holding nothing of the server's.
The command line (`nexus import`) may also clone ssh:// and file:// URLs and local paths.
"""

import datetime as dt
import ipaddress
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from nexus.core import outbound
from nexus.importer.sources.base import LineOrigin, Source, SourceError, limit
from nexus.importer.sources.files import folder

GIT = shutil.which("git") or "/usr/bin/git"
GIT_PATH = "/usr/local/bin:/usr/bin:/bin"
# The first request of git's smart HTTP protocol; redirects are judged on it, as git does.
INFO_REFS = "/info/refs?service=git-upload-pack"
MAX_REDIRECTS = 3
PROBE_TIMEOUT = (5.0, 10.0)
PROBE_TOTAL_SECONDS = 20.0
PROBE_MAX_BYTES = 64 * 1024
# Git does not follow redirects (they are checked beforehand), asks no credential helper and
# writes no symlink, whatever a configuration might say.
GIT_SAFETY_OPTIONS = (
    *("-c", "http.followRedirects=false"),
    *("-c", "credential.helper="),
    *("-c", "core.symlinks=false"),
)
# Commits a clone keeps for dating lines (see the module's docstring), and how long the one
# `git blame` of a file may take.
HISTORY_DEPTH = 100
BLAME_TIMEOUT_SECONDS = 20
GIT_STATUS_HINTS = {
    401: "only public repositories can be imported",
    403: "only public repositories can be imported",
    404: "check the URL",
}


def check_git_url(url: str, *, allow_local: bool) -> str:
    """The URL if it may be cloned: public https anywhere; ssh, file:// and paths from the CLI."""
    url = url.strip()
    if url.startswith("-"):
        raise SourceError("Not a repository URL.")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # unbalanced brackets, a bad port: urlsplit is strict about those
        raise SourceError(f"Not a repository URL: {exc}.") from exc
    if parts.scheme in ("https", "http"):
        _checked_remote(url)
        return url
    if allow_local:
        if parts.scheme == "ssh":
            _check_public_host(parts.hostname or "")
            return url
        if not parts.scheme and "@" in url and ":" in url.split("@", 1)[1]:
            # scp-like ssh: git@host:owner/repo.git
            _check_public_host(url.split("@", 1)[1].split(":", 1)[0])
            return url
        if parts.scheme == "file" or (not parts.scheme and Path(url).exists()):
            return url
    raise SourceError("Use an https:// repository URL.")


def _web_schemes() -> tuple[str, ...]:
    # Tests serve repositories over plain http on 127.0.0.1, with loopback allowed (tests only).
    return ("https", "http") if settings.NEXUS_OUTBOUND_ALLOW_LOOPBACK else ("https",)


def _checked_remote(url: str) -> outbound.ResolvedURL:
    """The URL resolved to the addresses it may reach, or a SourceError saying why not."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise SourceError("Credentials in repository URLs are not accepted.")
    if parts.query or parts.fragment:
        raise SourceError("A repository URL has no query (?) or fragment (#).")
    try:
        resolved = outbound.check_url(url, allow_schemes=_web_schemes())
    except outbound.UnsafeURLError as exc:
        raise SourceError(f"The repository URL is refused: {exc}") from exc
    if resolved.scheme == "http" and not all(
        ipaddress.ip_address(address).is_loopback for address in resolved.addresses
    ):
        raise SourceError("The repository URL is refused: use https.")
    return resolved


def _check_public_host(host: str) -> None:
    """Refuse hosts resolving to private, loopback, link-local, metadata or reserved addresses."""
    if not host:
        raise SourceError("The repository URL has no host.")
    try:
        outbound.check_url(f"https://{host}/", allow_schemes=("https",))
    except outbound.UnsafeURLError as exc:
        raise SourceError(f"The repository host is refused: {exc}") from exc


def _followed(url: str) -> str:
    """The repository's URL after its redirects, each target checked like the URL itself."""
    for _ in range(MAX_REDIRECTS + 1):
        probe = url.rstrip("/") + INFO_REFS
        try:
            response = outbound.fetch(
                probe,
                max_bytes=PROBE_MAX_BYTES,
                read_body=False,
                timeout=PROBE_TIMEOUT,
                total_timeout=PROBE_TOTAL_SECONDS,
            )
        except outbound.UnsafeURLError as exc:
            raise SourceError(f"The repository URL is refused: {exc}") from exc
        except outbound.OutboundError as exc:
            raise SourceError(f"The repository could not be reached: {exc}") from exc
        location = response.headers.get("location", "")
        if response.status < 300:
            return url
        if response.status not in outbound.REDIRECT_STATUSES or not location:
            hint = GIT_STATUS_HINTS.get(response.status, "it is not a git repository we can clone")
            raise SourceError(f"The repository answered HTTP {response.status}: {hint}.")
        try:
            target = urljoin(probe, location)
        except ValueError as exc:
            raise SourceError(f"The repository redirects to an invalid URL: {exc}.") from exc
        if not target.endswith(INFO_REFS):
            raise SourceError(f"The repository redirects to {target[:200]}, not to a repository.")
        url = target.removesuffix(INFO_REFS)
        _checked_remote(url)
    raise SourceError(f"The repository URL redirects more than {MAX_REDIRECTS} times.")


def _protocols(*schemes: str) -> list[str]:
    allowed = [option for scheme in schemes for option in ("-c", f"protocol.{scheme}.allow=always")]
    return ["-c", "protocol.allow=never", *allowed]


def _pinned(resolved: outbound.ResolvedURL) -> list[str]:
    """curl's resolve list: the checked addresses are the only ones git can connect to."""
    try:
        ipaddress.ip_address(resolved.host)
    except ValueError:
        addresses = ",".join(f"[{a}]" if ":" in a else a for a in resolved.addresses)
        return ["-c", f"http.curloptResolve={resolved.host}:{resolved.port}:{addresses}"]
    return []  # an address literal: there is no name to resolve


def _clone_options(url: str) -> tuple[str, list[str]]:
    """What git is given to clone, and the options that bound where it may connect."""
    if urlsplit(url).scheme in ("https", "http"):
        resolved = _checked_remote(_followed(url))
        options = [*_protocols(resolved.scheme), *_pinned(resolved)]
        return resolved.url, [*GIT_SAFETY_OPTIONS, *options]
    return url, [*GIT_SAFETY_OPTIONS, *_protocols("ssh", "file")]  # the command line's


def _git_env(home: Path) -> dict[str, str]:
    """Only what git needs: nothing of the server's environment (secrets, proxies, its HOME)."""
    return {
        "PATH": GIT_PATH,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=10",
        "GIT_LFS_SKIP_SMUDGE": "1",
        "LC_ALL": "C",
    }


def _tree_size(root: Path) -> int:
    total = 0
    for directory, _dirs, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(directory, name)).st_size
            except OSError:
                continue
    return total


def _run_clone(command: list[str], target: Path, env: dict[str, str]) -> None:
    """Run `git clone`, killing it past the time or size limit."""
    deadline = time.monotonic() + limit("GIT_TIMEOUT_SECONDS")
    process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
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


def _author_time(seconds: int, offset: str) -> dt.datetime:
    """A commit's author time in the author's own offset ("+0100"): the day as they lived it."""
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = int(offset[1:3] or 0), int(offset[3:5] or 0)
    zone = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    return dt.datetime.fromtimestamp(seconds, tz=zone)


def parse_blame(output: bytes, cut: frozenset[str] = frozenset()) -> list[LineOrigin]:
    """`git blame --porcelain` as one LineOrigin per line of the file. A commit's headers come
    with its first line only; a line from a commit in `cut` (the shallow boundary, whose parents
    the clone lacks) is undated."""
    times: dict[str, tuple[int, str]] = {}
    lines: list[LineOrigin] = []
    commit = ""
    for raw in output.split(b"\n"):
        if raw.startswith(b"\t"):
            when = times.get(commit)
            written = None if commit in cut or when is None else _author_time(*when)
            lines.append(LineOrigin(raw[1:].decode("utf-8", "replace"), written))
            continue
        name, _, value = raw.decode("utf-8", "replace").partition(" ")
        if name == "author-time" and value.isdigit():
            times[commit] = (int(value), times.get(commit, (0, "+0000"))[1])
        elif name == "author-tz" and len(value) == 5:
            times[commit] = (times.get(commit, (0, value))[0], value)
        elif len(name) in (40, 64) and all(c in "0123456789abcdef" for c in name):
            commit = name
    return lines


class BlameHistory:
    """When each line of one file of a clone was first committed: one `git blame` of the file,
    run the first time it is asked for, with the clone's sandboxed environment."""

    def __init__(self, root: Path, path: str, env: dict[str, str], cut: frozenset[str]) -> None:
        self.root, self.path, self.env, self.cut = root, path, env, cut
        self._lines: list[LineOrigin] | None = None
        self._asked = False

    def lines(self) -> list[LineOrigin] | None:
        if not self._asked:
            self._asked = True
            self._lines = self._blame()
        return self._lines

    def _blame(self) -> list[LineOrigin] | None:
        # -w: a line re-indented later keeps its first date; -M: so does a line moved in the file.
        options = ["blame", "--porcelain", "-w", "-M", "--no-textconv", "HEAD", "--", self.path]
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, no shell
                [GIT, *GIT_SAFETY_OPTIONS, "-C", str(self.root), *options],
                env=self.env,
                capture_output=True,
                timeout=BLAME_TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return parse_blame(done.stdout, self.cut) if done.returncode == 0 else None


def _shallow_boundary(target: Path) -> frozenset[str]:
    """The commits whose parents the clone lacks (none when it holds the whole history)."""
    try:
        return frozenset((target / ".git" / "shallow").read_text().split())
    except OSError:
        return frozenset()


@contextmanager
def cloned(url: str, *, allow_local: bool = False) -> Iterator[Source]:
    """A clone of `url`'s last HISTORY_DEPTH commits in a temporary folder, removed afterwards;
    its files carry their lines' history, read when first asked (while the clone exists)."""
    url = check_git_url(url, allow_local=allow_local)
    workdir = Path(tempfile.mkdtemp(prefix="nexus-import-"))
    home = workdir / "home"
    home.mkdir()
    target = workdir / "repo"
    env = _git_env(home)
    try:
        remote, options = _clone_options(url)
        depth = str(HISTORY_DEPTH)
        command = [GIT, *options, "clone", "--depth", depth, "--single-branch", "--no-tags"]
        _run_clone([*command, "--quiet", "--", remote, str(target)], target, env)
        commit = subprocess.run(  # noqa: S603
            [GIT, "-C", str(target), "rev-parse", "HEAD"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout.strip()
        files = list(folder(target))
        cut = _shallow_boundary(target)
        for file in files:
            if not file.skip_reason:
                file.history = BlameHistory(target, file.path, env, cut)
        yield Source(
            key=f"git:{url}", label=url, kind="git", repository=remote, commit=commit, files=files
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
