"""SSRF, end to end: every URL a user can give Nexus, in every spelling of the SSRF corpora, through
the front doors, then used the way Nexus uses it; nothing may reach the inside of the network.

The inside is played by a listener on 127.0.0.1 that counts the bytes it receives: every socket
this process opens goes there, unless it is for the public site (93.184.215.14, played by a
local server). Names resolve through a faked DNS (the network is a third party). Git runs as a
stand-in that records where it would have connected and exits (a real clone would leave the
test network); tests/importer/test_git_sources.py runs the real git against a local server.
The sinks and the public site live in tests/security/ssrf_sinks.py.

Sinks: a webhook's URL (created or updated through REST, then an event is delivered to it), a
spec's URL (REST; the fetch job runs), a repository URL (REST and GraphQL; the import job runs),
an API's links (stored, never fetched), a zip import (the URLs in its Markdown, its .gitmodules
and its symlinks) and a spec document (the URLs in its servers, externalDocs and $refs).

Modes: direct (the URL as given), redirect (a public URL whose site answers 302 to the URL), and
rebinding (a name that answers public at first and inside from its k-th lookup on). A value a
front door accepts (a link; " http://example.com/" once its space is trimmed) is used like any
other: only the public site may hear from it.
"""

import shutil
import socket
import stat
import time
from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from nexus.accounts.jwt import refresh_token_for
from nexus.collab.services.catalog import api_create
from nexus.core.outbound import client as outbound_client
from nexus.importer.sources import git as git_sources
from nexus.notifications.models import Webhook
from nexus.notifications.services import webhook_create as webhook_service_create
from tests import figures, hostile
from tests.network import ChangingDNS, CountingListener, Router
from tests.security.ssrf_sinks import (
    PUBLIC,
    PUBLIC_HOST,
    URL_SINKS,
    GitStandIn,
    PublicServer,
    World,
    corpus,
    git_rest,
    rebinding_names,
    self_signed,
    spec_document,
    spec_url,
    webhook_create,
    webhooks_delivered,
    zip_import,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(
    owner, settings, monkeypatch, tmp_path, django_capture_on_commit_callbacks
) -> Iterator[World]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    # This process's only sockets must be the code under test's: the cache moves in-process.
    in_process = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {"default": in_process, "best_effort": in_process}
    settings.NEXUS_OUTBOUND_ALLOW_LOOPBACK = False
    settings.NEXUS_WEBHOOK_TIMEOUT = 2
    server_tls, client_tls = self_signed(tmp_path, PUBLIC_HOST)
    monkeypatch.setattr(outbound_client, "_tls_context", lambda: client_tls)
    targets: list[str] = []
    https, http = PublicServer(targets, server_tls), PublicServer(targets)
    listener = CountingListener()
    router = Router(listener)
    router.routes[(PUBLIC, 443)] = ("127.0.0.1", https.port)
    router.routes[(PUBLIC, 80)] = ("127.0.0.1", http.port)
    dns = ChangingDNS(default=[PUBLIC])
    for host, answer in hostile.names_resolving_inside().items():
        dns.answer(host, answer)
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    router.install(monkeypatch)
    log = tmp_path / "git-runs.log"
    stand_in = tmp_path / "git"
    stand_in.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexit 1\n')
    stand_in.chmod(stand_in.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(git_sources, "GIT", str(stand_in))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh_token_for(owner).access_token}")
    api = api_create(actor=owner, name="Pets", description="Pets for everyone")
    # Updated to each URL; inactive, so only the URLs an update accepts are ever delivered to.
    standing, _ = webhook_service_create(
        actor=owner, url=f"https://{PUBLIC_HOST}/hook", events=["mention"]
    )
    Webhook.objects.filter(pk=standing.pk).update(is_active=False)
    yield World(
        owner=owner,
        client=client,
        dns=dns,
        router=router,
        listener=listener,
        git=GitStandIn(log),
        capture=django_capture_on_commit_callbacks,
        public=https,
        api_slug=api.slug,
        webhook_id=standing.pk,
    )
    for server in (https, http):
        server.shutdown()
        server.server_close()
    listener.close()


@pytest.mark.verify  # the whole corpus through every surface: make verify
def test_no_user_given_url_reaches_inside_whatever_its_spelling_redirect_or_dns(world):
    urls = corpus()
    world.public.targets.extend(urls)
    accepted = dict.fromkeys(URL_SINKS, 0)
    for name, sink in URL_SINKS.items():
        for url in urls:
            use = lambda sink=sink, url=url: sink(world, url)  # noqa: E731
            accepted[name] += bool(world.using(f"direct {name} {url!r}", use))
    world.using("zip.import", lambda: zip_import(world, urls))
    world.using("spec.document", lambda: spec_document(world, urls))

    redirecting = [f"https://{PUBLIC_HOST}/to/{index}" for index in range(len(urls))]
    world.using("redirect webhook.create", lambda: webhooks_delivered(world, redirecting))
    for name in ("spec.url", "git.rest"):
        for url, target in zip(redirecting, urls, strict=True):
            use = URL_SINKS[name]
            world.using(f"redirect {name} to {target!r}", lambda use=use, url=url: use(world, url))

    hosts = rebinding_names(world)
    hooks = [f"https://{host}/hook" for host in hosts]
    world.using("rebinding webhook.create", lambda: webhooks_delivered(world, hooks))
    for host in rebinding_names(world):
        world.using(f"rebinding spec.url {host}", lambda h=host: spec_url(world, f"https://{h}/s"))
    for host in rebinding_names(world):
        world.using(f"rebinding git.rest {host}", lambda h=host: git_rest(world, f"https://{h}/r"))

    git_runs = world.git.runs()
    pinned_inside = [run for run in git_runs if f":{PUBLIC}" not in " ".join(run)]
    assert world.leaks == []
    assert pinned_inside == []
    assert (world.listener.connections, world.listener.received) == (0, 0)
    figures.report(
        f"ssrf: {len(urls)} urls × {len(URL_SINKS) + 2} sinks, redirected and rebinding too "  # noqa: RUF001
        f"({world.uses} uses; accepted as given: {accepted}; git runs: {len(git_runs)}), "
        f"{world.listener.received} bytes reached the loopback listener"
    )


def test_the_harness_counts_what_the_code_under_test_did_not_refuse(world):
    def leak() -> None:
        connection = socket.socket()
        connection.connect(("10.0.0.7", 6379))
        connection.sendall(b"PING\r\n")
        connection.close()

    world.using("a deliberate leak", leak)
    assert world.leaks == ["a deliberate leak: connected to [('10.0.0.7', 6379)]"]
    deadline = time.monotonic() + 5
    while world.listener.received < 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert world.listener.received == 6


def test_the_public_site_is_reached_so_the_refusals_are_no_accident(world):
    world.using("a public webhook", lambda: webhook_create(world, f"https://{PUBLIC_HOST}/hook"))
    assert world.public.requests == ["/hook"]
    assert world.leaks == []
