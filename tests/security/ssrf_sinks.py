"""The SSRF proof's world: the public site, a git stand-in, and the sinks that take a user-given
URL through a front door and then make Nexus use whatever was stored (tests/security/
test_ssrf_everywhere.py says what is proven)."""

import io
import json
import ssl
import stat
import subprocess
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from rest_framework.test import APIClient

from nexus.accounts.jwt import refresh_token_for
from nexus.core import events
from nexus.notifications.models import Webhook
from tests import hostile
from tests.network import ChangingDNS, CountingListener, Router

PUBLIC = hostile.PUBLIC_ADDRESS
PUBLIC_HOST = "public.example.test"
REBOUND_HOST = "rebound.example.test"
SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1.0"},
    "paths": {"/pets": {"get": {"responses": {"200": {"description": "The pets"}}}}},
}


def corpus() -> list[str]:
    """The own corpus, the names that resolve inside, and the shared corpus when present."""
    own = [url for _, url in hostile.ssrf_urls()]
    names = [f"https://{host}/r.git" for host in hostile.names_resolving_inside()]
    return list(dict.fromkeys([*own, *names, *hostile.shared_ssrf_urls()]))


class PublicSite(BaseHTTPRequestHandler):
    """The internet: /to/<n><rest> redirects to target n (+ rest), /hook and /spec.yaml answer."""

    server: "PublicServer"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    def _answer(self) -> None:
        self.server.requests.append(self.path)
        if self.path.startswith("/to/"):
            index, _, rest = self.path[4:].partition("/")
            number, _, query = index.partition("?")
            suffix = f"/{rest}" if rest else (f"?{query}" if query else "")
            self._send(302, b"", {"Location": self.server.targets[int(number)] + suffix})
        elif self.path == "/hook":
            self._send(200, b"ok")
        elif self.path == "/spec.yaml":
            self._send(200, json.dumps(SPEC).encode())
        else:
            self._send(404, b"not here")

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class PublicServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, targets: list[str], tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), PublicSite)
        self.targets = targets
        self.requests: list[str] = []
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that give up on a redirect are what this is about

    @property
    def port(self) -> int:
        return int(self.server_address[1])


@dataclass
class GitStandIn:
    """Records every git run with the addresses it was pinned to; never touches the network."""

    log: Path

    def runs(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [line.split() for line in self.log.read_text().splitlines()]


@dataclass
class World:
    owner: Any
    client: APIClient
    dns: ChangingDNS
    router: Router
    listener: CountingListener
    git: GitStandIn
    capture: Callable[..., Any]
    public: PublicServer
    api_slug: str
    webhook_id: int
    leaks: list[str] = field(default_factory=list)
    uses: int = 0

    def using(self, what: str, use: Callable[[], object]) -> object:
        """Run one use of a URL; any connection but the public site's is a leak, named."""
        before = len(self.router.attempts)
        result = use()
        self.uses += 1
        inside = [a for a in self.router.attempts[before:] if a not in self.router.routes]
        if inside:
            self.leaks.append(f"{what}: connected to {inside}")
        return result

    def run_callbacks(self) -> Any:
        return self.capture(execute=True)


def self_signed(directory: Path, host: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A certificate for `host`: the server's TLS context and a client's that trusts it."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt"),
            *("ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out", str(cert)),
            *("-days", "2", "-subj", f"/CN={host}", "-addext", f"subjectAltName=DNS:{host}"),
        ],
        check=True,
        capture_output=True,
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))


# --- sinks: give a URL through a front door, then make Nexus use whatever was stored -----------


def _deliver_an_event_to_the_owner(world: World) -> None:
    payload = {"title": "hey", "url": "/x/", "recipient_ids": [world.owner.pk]}
    with world.run_callbacks(), transaction.atomic():
        events.publish("mention", payload=payload)


def webhook_create(world: World, url: str) -> bool:
    with world.run_callbacks():
        response = world.client.post(
            "/api/v1/webhooks/", {"url": url, "events": ["mention"]}, format="json"
        )
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        _deliver_an_event_to_the_owner(world)
        Webhook.objects.filter(pk=response.json()["id"]).delete()
    return response.status_code == 201


def webhook_update(world: World, url: str) -> bool:
    hook = f"/api/v1/webhooks/{world.webhook_id}/"
    with world.run_callbacks():
        response = world.client.patch(hook, {"url": url, "is_active": True}, format="json")
    assert response.status_code in (200, 400), response.content
    if response.status_code == 200:
        _deliver_an_event_to_the_owner(world)
        world.client.patch(hook, {"url": f"https://{PUBLIC_HOST}/hook", "is_active": False})
    return response.status_code == 200


def spec_url(world: World, url: str) -> bool:
    with world.run_callbacks():
        response = world.client.post(
            f"/api/v1/apis/{world.api_slug}/versions/", {"url": url}, format="json"
        )
    assert response.status_code in (202, 400), response.content
    return response.status_code == 202


def git_rest(world: World, url: str) -> bool:
    with world.run_callbacks():
        response = world.client.post("/api/v1/imports/", {"url": url}, format="json")
    assert response.status_code in (201, 400), response.content
    return response.status_code == 201


def git_graphql(world: World, url: str) -> bool:
    mutation = "mutation($url: String!) { startImport(url: $url) { job { id } errors { field } } }"
    with world.run_callbacks():
        response = world.client.post(
            "/graphql/",
            {"query": mutation, "variables": {"url": url}},
            format="json",
            headers={"Authorization": f"Bearer {refresh_token_for(world.owner).access_token}"},
        )
    assert response.status_code == 200, response.content
    return response.json()["data"]["startImport"]["job"] is not None


def api_links(world: World, url: str) -> bool:
    with world.run_callbacks():
        response = world.client.post(
            "/api/v1/apis/",
            {"name": f"Links {world.uses}", "base_url": url, "repository_url": url},
            format="json",
        )
    assert response.status_code in (201, 400), response.content
    return response.status_code == 201


URL_SINKS: dict[str, Callable[[World, str], bool]] = {
    "webhook.create": webhook_create,
    "webhook.update": webhook_update,
    "spec.url": spec_url,
    "git.rest": git_rest,
    "git.graphql": git_graphql,
    "api.links": api_links,
}
# The sinks that fetch, for the redirect and rebinding modes; a webhook's update differs from its
# creation only at the front door, which the direct mode covers.
FETCHING_SINKS = ("webhook.create", "spec.url", "git.rest")
URLS_PER_NOTE = 20


def zip_import(world: World, urls: list[str]) -> None:
    """Every URL in the Markdown of an archive, its .gitmodules and as a symlink's target."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for start in range(0, len(urls), URLS_PER_NOTE):
            chunk = urls[start : start + URLS_PER_NOTE]
            front = "".join(f"source{n}: {url}\n" for n, url in enumerate(chunk))
            body = "".join(
                f'- [link]({url}) ![image]({url}) <{url}> <img src="{url}">\n' for url in chunk
            )
            references = "".join(f"[r{n}]: {url}\n" for n, url in enumerate(chunk))
            note = f"---\n{front}---\n# Notes {start}\n\n{body}\n{references}"
            archive.writestr(f"notes/{start:04}.md", note)
        for number, url in enumerate(urls):
            link = zipfile.ZipInfo(f"links/{number:04}.md")
            link.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(link, url)
        modules = "".join(f'[submodule "m{n}"]\n\turl = {u}\n' for n, u in enumerate(urls))
        archive.writestr(".gitmodules", modules)
    upload = SimpleUploadedFile("notes.zip", buffer.getvalue(), content_type="application/zip")
    with world.run_callbacks():
        response = world.client.post("/api/v1/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content


def spec_document(world: World, urls: list[str]) -> None:
    """The URLs as $refs of a spec, and as servers, externalDocs, dialect, $schema and $id."""
    schemas = {f"S{n}": {"$schema": url, "$id": url} for n, url in enumerate(urls)}
    linked = {**SPEC, "servers": [{"url": url} for url in urls], "externalDocs": {"url": urls[0]}}
    documents = [
        {**SPEC, "components": {"schemas": {f"S{n}": {"$ref": u} for n, u in enumerate(urls)}}},
        linked,
        {**linked, "openapi": "3.1.0", "jsonSchemaDialect": urls[0]},
        {**linked, "openapi": "3.1.0", "components": {"schemas": schemas}},
    ]
    for document in documents:
        with world.run_callbacks():
            response = world.client.post(
                f"/api/v1/apis/{world.api_slug}/versions/",
                {"spec": json.dumps(document)},
                format="json",
            )
        assert response.status_code in (201, 400), response.content


# --- the proof ------------------------------------------------------------------------------------


def webhooks_delivered(world: World, urls: list[str]) -> None:
    """A webhook for each URL through REST, then one event that is delivered to them all."""
    for url in urls:
        response = world.client.post(
            "/api/v1/webhooks/", {"url": url, "events": ["mention"]}, format="json"
        )
        assert response.status_code in (201, 400), response.content
    _deliver_an_event_to_the_owner(world)
    Webhook.objects.filter(owner=world.owner).exclude(pk=world.webhook_id).delete()


def rebinding_names(world: World) -> list[str]:
    """Names answering public for their first k lookups (k = 1, 2, 3), then an inside address."""
    insides = [*hostile.names_resolving_inside().values(), ["127.0.0.1"], ["0.0.0.0"]]
    names = []
    for number, inside in enumerate(insides):
        for lookups in (1, 2, 3):
            name = f"r{lookups}-{number}.{REBOUND_HOST}"
            world.dns.answer(name, *([[PUBLIC]] * lookups), inside)
            names.append(name)
    return names
