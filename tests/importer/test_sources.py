"""Sources and their safety limits: zip slip, zip bombs, symlinks, binaries, git URLs and clones."""

import io
import os
import socket
import stat
import subprocess
import time
import zipfile

import pytest

from nexus.importer import sources
from nexus.importer.sources import SourceError
from tests import figures, hostile
from tests.importer.journals import JOURNAL
from tests.shared import require


def _zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, *mode in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if mode:
                info.external_attr = mode[0] << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def test_zip_entries_escaping_the_archive_are_refused():
    data = _zip([("../evil.md", b"# x"), ("/abs.md", b"# y"), ("ok/notes.md", b"# z")])
    source = sources.from_bytes(name="docs.zip", data=data, key="k")
    reasons = {file.path: file.skip_reason for file in source.files}
    assert reasons["../evil.md"].startswith("refused")
    assert reasons["/abs.md"].startswith("refused")
    assert reasons["ok/notes.md"] == ""


def test_zip_symlinks_are_ignored_and_non_markdown_left_out():
    link = stat.S_IFLNK | 0o777
    data = _zip([("link.md", b"/etc/passwd", link), ("pic.png", b"\x89PNG"), ("a.md", b"# a")])
    source = sources.from_bytes(name="docs.zip", data=data, key="k")
    assert {file.path: file.skip_reason for file in source.files} == {
        "link.md": "symlink ignored",
        "a.md": "",
    }


def test_a_zip_bomb_is_caught_by_the_total_size_cap(settings):
    settings.NEXUS_IMPORT_MAX_TOTAL_BYTES = 1024 * 1024
    data = _zip([("bomb.md", b"0" * (2 * 1024 * 1024))])
    assert len(data) < 10_000
    with pytest.raises(SourceError, match="zip bomb"):
        sources.from_bytes(name="bomb.zip", data=data, key="k")


def test_a_file_over_the_size_limit_is_skipped(settings):
    settings.NEXUS_IMPORT_MAX_FILE_BYTES = 100
    source = sources.from_bytes(name="big.md", data=b"x" * 200, key="k")
    assert source.files[0].skip_reason.startswith("larger than")


def test_folders_skip_symlinks_and_hidden_git_data(tmp_path):
    (tmp_path / "a.md").write_text("# a")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.md").write_text("# hidden")
    outside = tmp_path.parent / "outside.md"
    outside.write_text("# secret")
    os.symlink(outside, tmp_path / "link.md")
    source = sources.from_path(tmp_path)
    assert {file.path: file.skip_reason for file in source.files} == {
        "a.md": "",
        "link.md": "symlink ignored",
    }


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc",
        "/tmp/repo",
        "http://github.com/a/b.git",
        "git://github.com/a/b.git",
        "https://127.0.0.1/a.git",
        "https://user:secret@github.com/a/b.git",
        "ssh://10.0.0.5/repo.git",
        "ssh://github.com/a/b.git",
        "git@github.com:a/b.git",
        "git@169.254.169.254:a/b.git",
        "https://github.com/a/b.git?ref=main",
        "--upload-pack=touch /tmp/x",
    ],
)
def test_the_web_only_accepts_public_https_repositories(url):
    with pytest.raises(SourceError):
        sources.check_git_url(url, allow_local=False)


def _bare_repo(tmp_path, files):
    work = tmp_path / "work"
    work.mkdir()
    for name, text in files.items():
        (work / name).write_text(text)
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main", str(work)], check=True)
    subprocess.run([*git, "-C", str(work), "add", "."], check=True)
    subprocess.run([*git, "-C", str(work), "commit", "-qm", "init"], check=True)
    bare = tmp_path / "repo.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    return bare


def test_the_cli_path_clones_a_local_bare_repository_shallowly(tmp_path):
    bare = _bare_repo(tmp_path, {"README.md": JOURNAL, "notes.txt": "not markdown"})
    with sources.cloned(f"file://{bare}", allow_local=True) as source:
        assert [file.path for file in source.files] == ["README.md"]
        assert len(source.commit) == 40
        assert source.repository == f"file://{bare}"
        clone_dir = source.files and source.key
    assert clone_dir == f"git:file://{bare}"


def test_a_clone_over_the_size_limit_is_stopped(tmp_path, settings):
    settings.NEXUS_IMPORT_GIT_MAX_BYTES = 1000
    bare = _bare_repo(tmp_path, {"README.md": "x" * 50_000})
    with (
        pytest.raises(SourceError, match="size limit"),
        sources.cloned(f"file://{bare}", allow_local=True),
    ):
        pass


def test_file_urls_are_refused_without_the_cli_flag(tmp_path):
    bare = _bare_repo(tmp_path, {"README.md": "# r"})
    with pytest.raises(SourceError), sources.cloned(f"file://{bare}", allow_local=False):
        pass


def git_urls_accepted(urls: list[str]) -> list[str]:
    accepted = []
    for url in urls:
        try:
            sources.check_git_url(url, allow_local=False)
        except SourceError:
            continue
        accepted.append(url)
    return accepted


def test_every_url_of_the_own_ssrf_corpus_is_refused_as_a_git_source(monkeypatch):
    inside = hostile.names_resolving_inside()
    monkeypatch.setattr(socket, "getaddrinfo", hostile.fake_getaddrinfo(inside))
    urls = [url for _, url in hostile.ssrf_urls()] + [f"https://{host}/r.git" for host in inside]
    assert git_urls_accepted(urls) == []


def test_every_url_of_the_shared_ssrf_corpus_is_refused_as_a_git_source():
    require(hostile.SHARED_SSRF)
    urls = hostile.shared_ssrf_urls()
    assert len(urls) > 20
    assert git_urls_accepted(urls) == []


# --- zip archives: judged on their directory before anything is inflated ------------------------


def _entries(count, name="notes/{n}.md", data=b"# note\n"):
    return [(name.format(n=n), data) for n in range(count)]


def _patched(data, offsets, value, size):
    """The archive with a field of every local (PK\\3\\4) and central (PK\\1\\2) header rewritten."""
    patched = bytearray(data)
    for signature, offset in offsets.items():
        start = patched.find(signature)
        while start != -1:
            patched[start + offset : start + offset + size] = value.to_bytes(size, "little")
            start = patched.find(signature, start + 4)
    return bytes(patched)


def test_every_entry_of_an_archive_counts_against_the_file_cap(settings):
    settings.NEXUS_IMPORT_MAX_FILES = 10
    entries = [*_entries(5), *_entries(4, "img/{n}.png", b"\x89PNG"), ("docs/", b"")]
    sources.check_zip(_zip(entries))
    assert len(sources.from_bytes(name="ten.zip", data=_zip(entries), key="k").files) == 5
    eleven = _zip([*entries, ("LICENSE", b"MIT")])
    for check in (
        lambda: sources.check_zip(eleven),
        lambda: sources.from_bytes(name="eleven.zip", data=eleven, key="k"),
    ):
        with pytest.raises(SourceError, match="holds 11 entries; an import takes at most 10"):
            check()


def test_a_zip_of_5000_files_is_refused_from_its_directory_in_a_moment():
    data = _zip(_entries(5000))
    started = time.perf_counter()
    with pytest.raises(SourceError, match="5,000 entries; an import takes at most 2,000"):
        sources.check_zip(data)
    elapsed = time.perf_counter() - started
    figures.report(f"zip: 5,000 entries ({len(data):,} bytes) refused in {elapsed * 1000:.0f} ms")
    assert elapsed < 1.0


def test_an_archive_inflating_like_a_bomb_is_refused_before_reading():
    data = _zip(_entries(5, data=b"\n" * 400_000))
    assert len(data) < 20_000
    with pytest.raises(SourceError, match=r"inflates \d+ times its size"):
        sources.check_zip(data)


def test_a_few_small_repetitive_notes_are_not_taken_for_a_bomb():
    sources.check_zip(_zip(_entries(3, data=b"-" * 50_000)))


def test_encrypted_entries_are_refused_with_their_name():
    encrypted = _patched(_zip([("secret.md", b"# s")]), {b"PK\x03\x04": 6, b"PK\x01\x02": 8}, 1, 2)
    with pytest.raises(SourceError, match=r'"secret\.md" is encrypted'):
        sources.check_zip(encrypted)


def test_a_compression_method_we_cannot_read_is_refused_with_a_hint():
    deflate64 = _patched(_zip([("a.md", b"# a")]), {b"PK\x03\x04": 8, b"PK\x01\x02": 10}, 9, 2)
    with pytest.raises(SourceError, match=r"usual \(deflate\) compression"):
        sources.check_zip(deflate64)


def test_entries_we_leave_out_are_not_refused_for_their_compression():
    deflate64 = _patched(_zip([("a.png", b"x")]), {b"PK\x03\x04": 8, b"PK\x01\x02": 10}, 9, 2)
    assert sources.from_bytes(name="a.zip", data=deflate64, key="k").files == []


def test_an_entry_larger_than_its_header_declares_is_refused_as_damaged():
    data = _zip([("a.md", b"# a\n" * 2500)])
    lying = _patched(data, {b"PK\x03\x04": 22, b"PK\x01\x02": 24}, 100, 4)
    sources.check_zip(lying)
    with pytest.raises(SourceError, match=r'"a\.md" in the archive is damaged'):
        sources.from_bytes(name="a.zip", data=lying, key="k")


def test_corrupt_compressed_data_is_refused_as_damaged():
    data = bytearray(_zip([("a.md", bytes(range(256)) * 40)]))
    data[60] ^= 0xFF
    with pytest.raises(SourceError, match="damaged"):
        sources.from_bytes(name="a.zip", data=bytes(data), key="k")


@pytest.mark.parametrize(
    "data", [b"", b"not a zip at all", _zip(_entries(3))[:-30]], ids=["empty", "text", "truncated"]
)
def test_what_is_not_a_zip_is_refused(data):
    with pytest.raises(SourceError, match="not a valid zip archive"):
        sources.check_zip(data)
