"""Sources and their safety limits: zip slip, zip bombs, symlinks, binaries, git URLs and clones."""

import io
import os
import socket
import stat
import subprocess
import zipfile

import pytest

from nexus.importer import sources
from nexus.importer.sources import SourceError
from tests import hostile
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
