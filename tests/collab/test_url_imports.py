"""Specs by URL: fetched in the background through core.outbound, with its guards."""

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nexus.collab.models import SpecImport, SpecVersion
from nexus.collab.services import imports
from nexus.collab.tasks import import_spec_from_url
from tests import hostile
from tests.collab.conftest import PETS_V1

pytestmark = pytest.mark.django_db

ROUTES: dict[str, tuple[int, dict[str, str], bytes, float]] = {
    "/pets.yaml": (200, {"Content-Type": "application/yaml"}, PETS_V1.encode(), 0),
    "/missing.yaml": (404, {}, b"not here", 0),
    "/notes.yaml": (200, {}, b"title: my notes\n", 0),
    "/huge.yaml": (200, {}, b"#" * (5 * 1024 * 1024 + 100), 0),
    "/slow.yaml": (200, {}, PETS_V1.encode(), 3),
    "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"", 0),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        status, headers, body, delay = ROUTES.get(self.path, (404, {}, b"", 0))
        time.sleep(delay)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (size cap, timeout)
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def spec_server(settings):
    settings.NEXUS_OUTBOUND_ALLOW_LOOPBACK = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def add_by_url(django_capture_on_commit_callbacks):
    """POST a URL; the background fetch runs when the request's transaction commits."""

    def post(client, api, url):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/api/v1/apis/{api.slug}/versions/", {"url": url})
        assert response.status_code in (202, 400), response.content
        spec_import = SpecImport.objects.filter(api=api).order_by("-id").first()
        return response, spec_import

    return post


def test_a_spec_url_is_fetched_in_the_background_into_a_version(
    client_for, owner, pets_api, spec_server, add_by_url
):
    response, spec_import = add_by_url(client_for(owner), pets_api, f"{spec_server}/pets.yaml")
    assert response.status_code == 202
    assert response.json()["url"] == f"{spec_server}/pets.yaml"
    assert (spec_import.status, spec_import.version.number) == ("done", 1)
    version = SpecVersion.objects.get(api=pets_api)
    assert (version.source, version.source_url) == ("url", f"{spec_server}/pets.yaml")


@pytest.mark.parametrize("url", [urls[0] for urls in hostile.ssrf_classes().values()])
def test_internal_urls_are_refused_before_anything_is_stored(
    client_for, owner, pets_api, url, add_by_url
):
    response, _ = add_by_url(client_for(owner), pets_api, url)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "url"
    assert not SpecImport.objects.exists()


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/missing.yaml", "answered 404"),
        ("/notes.yaml", "no 'openapi' field"),
        ("/huge.yaml", "limit"),
        ("/to-metadata", "metadata"),
    ],
)
def test_failed_fetches_are_recorded_with_their_reason(
    client_for, owner, pets_api, spec_server, path, words, add_by_url
):
    response, spec_import = add_by_url(client_for(owner), pets_api, f"{spec_server}{path}")
    assert response.status_code == 202
    assert spec_import.status == "failed"
    assert words in spec_import.problems[0]["message"]
    assert not SpecVersion.objects.exists()


def test_a_slow_server_times_out(client_for, owner, pets_api, spec_server, monkeypatch, add_by_url):
    monkeypatch.setattr(imports, "FETCH_TOTAL_SECONDS", 1.0)
    _, spec_import = add_by_url(client_for(owner), pets_api, f"{spec_server}/slow.yaml")
    assert spec_import.status == "failed"
    assert "in time" in spec_import.problems[0]["message"]


def test_running_an_import_twice_stores_one_version(
    owner, pets_api, spec_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        spec_import = imports.spec_import_request(
            api=pets_api, url=f"{spec_server}/pets.yaml", actor=owner
        )
    spec_import.refresh_from_db()
    assert spec_import.status == "done"
    imports.spec_import_run(spec_import=spec_import)
    assert import_spec_from_url(spec_import.pk) == "done"
    assert SpecVersion.objects.filter(api=pets_api).count() == 1


def test_the_web_form_fetches_a_url_or_shows_why_not(
    owner, pets_api, spec_server, django_capture_on_commit_callbacks
):
    from django.test import Client

    client = Client()
    client.force_login(owner)
    refused = client.post(f"/apis/{pets_api.slug}/versions/", {"url": "http://10.1.2.3/spec.yaml"})
    assert refused.status_code == 400
    assert 'data-field="url"' in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/apis/{pets_api.slug}/versions/", {"url": f"{spec_server}/pets.yaml"}
        )
    assert response.status_code == 302
    assert SpecVersion.objects.filter(api=pets_api, source="url").exists()
