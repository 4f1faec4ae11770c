"""Git clones go only where the outbound-URL guard allows: to the addresses it checked when the
clone started, through no redirect it did not check, with nothing of the server's configuration
or environment.

The repositories are served over http on 127.0.0.1, which these tests let outbound requests
reach (NEXUS_OUTBOUND_ALLOW_LOOPBACK); "inside" is then every address the guard still refuses,
such as 0.0.0.0 and ::ffff:127.0.0.1, which land on this machine. A counting listener stands there.
"""

import socket
import stat
import tempfile
from pathlib import Path

import pytest

from nexus.importer import sources
from nexus.importer.sources import SourceError
from nexus.importer.sources import git as git_sources
from tests.importer.journals import JOURNAL
from tests.network import ChangingDNS, CountingListener, GitServer, Redirect, bare_repository

PUBLIC = "93.184.215.14"
HOST = "repo.example.test"  # known to the faked resolver only, never to the machine's own


@pytest.fixture
def dns(monkeypatch):
    fake = ChangingDNS(default=[PUBLIC])
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def listener():
    inside = CountingListener()
    yield inside
    inside.close()


@pytest.fixture
def git_server(tmp_path, settings, dns):
    settings.NEXUS_OUTBOUND_ALLOW_LOOPBACK = True
    dns.answer(HOST, ["127.0.0.1"])
    root = tmp_path / "served"
    bare_repository(root, "r.git", {"README.md": JOURNAL, "notes.txt": "not markdown"})
    server = GitServer(root)
    yield server
    server.close()


def clone_fails(url, match):
    with pytest.raises(SourceError, match=match), sources.cloned(url):
        pass


def test_git_connects_to_the_address_the_check_returned_and_never_resolves_itself(git_server):
    with sources.cloned(git_server.url("r.git", host=HOST)) as source:
        assert [file.path for file in source.files] == ["README.md"]
        assert len(source.commit) == 40
        assert source.repository == git_server.url("r.git", host=HOST)
    agents = [agent.split("/")[0] for _, _, agent in git_server.requests]
    assert agents[0] == "Nexus-Outbound"  # the redirect check
    assert set(agents[1:]) == {"git"}


@pytest.mark.parametrize("inside", ["0.0.0.0", "::ffff:127.0.0.1", "169.254.169.254", "10.0.0.7"])
def test_a_name_answering_inside_when_the_clone_starts_is_refused(
    git_server, dns, listener, inside
):
    url = f"http://rebound.example.test:{listener.port}/r.git"
    dns.answer("rebound.example.test", ["127.0.0.1"], [inside])
    assert sources.check_git_url(url, allow_local=False) == url  # the check when it was asked for
    clone_fails(url, "refused")
    assert (listener.connections, listener.received) == (0, 0)
    assert git_server.requests == []


INSIDE_TARGETS = [
    "http://0.0.0.0:{port}/r.git",
    "http://[::ffff:127.0.0.1]:{port}/r.git",
    "http://0x7f000001.0:{port}/r.git",
    "http://inside.example.test:{port}/r.git",
    "http://localhost.localdomain:{port}/r.git",
    "http://169.254.169.254/r.git",
    "http://user@0.0.0.0:{port}/r.git",
    "file:///etc",
    "ssh://0.0.0.0:{port}/r.git",
]


@pytest.mark.parametrize("target", INSIDE_TARGETS)
def test_a_redirect_to_a_refused_url_is_not_followed(git_server, dns, listener, target):
    dns.answer("inside.example.test", ["0.0.0.0"])
    git_server.redirects["r.git"] = Redirect(target.format(port=listener.port))
    clone_fails(git_server.url("r.git", host=HOST), "refused|not accepted|not to a repository")
    assert (listener.connections, listener.received) == (0, 0)
    assert [agent.split("/")[0] for _, _, agent in git_server.requests] == ["Nexus-Outbound"]


def test_a_redirect_sent_to_git_alone_is_not_followed(git_server, listener):
    # The check sees the repository; git's own request is then redirected inside.
    target = f"http://0.0.0.0:{listener.port}/r.git"
    git_server.redirects["r.git"] = Redirect(target, only_git=True)
    clone_fails(git_server.url("r.git", host=HOST), "302")
    assert (listener.connections, listener.received) == (0, 0)


def test_a_redirect_to_a_url_that_passes_the_check_is_followed(git_server, dns):
    dns.answer("moved.example.test", ["127.0.0.1"])
    moved = git_server.url("r.git", host="moved.example.test")
    git_server.redirects["old.git"] = Redirect(moved)
    with sources.cloned(git_server.url("old.git", host=HOST)) as source:
        assert source.repository == moved
        assert source.key == f"git:{git_server.url('old.git', host=HOST)}"
        assert [file.path for file in source.files] == ["README.md"]


def test_redirects_in_a_loop_stop(git_server):
    git_server.redirects["loop.git"] = Redirect(git_server.url("loop.git", host=HOST))
    clone_fails(git_server.url("loop.git", host=HOST), "more than 3 times")


def test_a_missing_repository_says_so_before_git_runs(git_server):
    clone_fails(git_server.url("missing.git", host=HOST), "404: check the URL")


def test_plain_http_is_refused_for_anything_but_loopback_tests(git_server, dns):
    clone_fails("http://public.example.test/r.git", "use https")
    assert git_server.requests == []


def test_git_reads_no_configuration_or_proxy_of_the_server(
    git_server, listener, tmp_path, monkeypatch
):
    # Each of these would send git to the listener if git read it.
    inside = f"http://127.0.0.1:{listener.port}"
    planted = f'[http]\n\tproxy = {inside}\n[url "{inside}/"]\n\tinsteadOf = http://\n'
    home, temporary = tmp_path / "home", tmp_path / "tmp"
    for folder in (home, temporary, home / ".config" / "git"):
        folder.mkdir(parents=True)
    for config in (home / ".gitconfig", temporary / ".gitconfig", home / ".config/git/config"):
        config.write_text(planted)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setattr(tempfile, "tempdir", None)
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", f"'http.proxy={inside}'")
    for proxy in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.setenv(proxy, inside)
    with sources.cloned(git_server.url("r.git", host=HOST)) as source:
        assert [file.path for file in source.files] == ["README.md"]
    assert (listener.connections, listener.received) == (0, 0)


def test_git_is_given_an_environment_and_options_of_its_own(git_server, tmp_path, monkeypatch):
    seen = tmp_path / "seen"
    stand_in = tmp_path / "git"
    stand_in.write_text(f'#!/bin/sh\nenv > {seen}.env\necho "$@" > {seen}.args\nexit 1\n')
    stand_in.chmod(stand_in.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(git_sources, "GIT", str(stand_in))
    monkeypatch.setenv("SECRET_KEY", "s3cret-of-the-server")
    monkeypatch.setenv("DATABASE_URL", "postgres://nexus:s3cret-of-the-server@db/nexus")
    clone_fails(git_server.url("r.git", host=HOST), "git clone failed")
    environment = dict(
        line.split("=", 1) for line in Path(f"{seen}.env").read_text().splitlines() if "=" in line
    )
    assert "s3cret" not in Path(f"{seen}.env").read_text()
    assert set(environment) - {"PWD", "SHLVL", "_"} == {
        *("PATH", "HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL"),
        *("GIT_TERMINAL_PROMPT", "GIT_SSH_COMMAND", "GIT_LFS_SKIP_SMUDGE", "LC_ALL"),
    }
    assert (environment["GIT_CONFIG_GLOBAL"], environment["GIT_CONFIG_NOSYSTEM"]) == (
        "/dev/null",
        "1",
    )
    assert environment["HOME"].startswith(tempfile.gettempdir())
    assert environment["HOME"] == environment["XDG_CONFIG_HOME"]
    arguments = Path(f"{seen}.args").read_text().split()
    options = [arguments[i + 1] for i, value in enumerate(arguments) if value == "-c"]
    assert options == [
        "http.followRedirects=false",
        "credential.helper=",
        "core.symlinks=false",
        "protocol.allow=never",
        "protocol.http.allow=always",
        f"http.curloptResolve={HOST}:{git_server.port}:127.0.0.1",
    ]
