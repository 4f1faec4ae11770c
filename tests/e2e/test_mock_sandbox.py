"""Issue #14 in Chromium: nothing a spec holds runs on the app's origin, through a mock or a page.

A learner registers one API per class of the own XSS corpus (tests/data). Each spec carries the
class's vectors in its descriptions and examples, and its mock answers with them as text/html,
after a script that tries to mint the reader an API token; one more API answers with SVG
documents as image/svg+xml. A signed-in victim then meets every one of them on each surface:
the mock URL opened, the mock's answer rendered anyway (its Content-Disposition stripped in
transit: the sandbox policy alone must hold), the mock framed by an app page, and the catalog
pages that show a spec (the API, its version, its operation, Swagger UI). A dialog hook, a
console hook and a `window.__xss` marker count what ran; so does the victim's token count.
"""

import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Dialog, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError

from nexus.accounts.models import ApiToken
from nexus.collab.models import Operation
from nexus.collab.services.catalog import api_create, spec_version_create
from tests import figures
from tests.collab.test_mock_sandbox import storable_xss_vectors
from tests.e2e.login import log_in
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.hostile import xss_classes

pytestmark = pytest.mark.e2e

MARK = "__xss"
# What an attacker's mock would run: mark the page, then mint the reader a token with their
# session and the CSRF cookie (it did on main: issue #14).
MINT_TOKEN = f"""<script>
window.{MARK} = (window.{MARK} || 0) + 1; console.log("{MARK} fired");
const csrf = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";
fetch("/api/v1/me/tokens/", {{method: "POST", headers: {{"Content-Type": "application/json",
  "X-CSRFToken": csrf}}, body: JSON.stringify({{name: "minted by a mock"}})}})
  .then(response => {{ window.__minted = response.status; }});
</script>"""
CANARY = f'<img src="x" onerror="window.{MARK} = 1; console.log(\'{MARK} fired\')">'
SVG = 'xmlns="http://www.w3.org/2000/svg"'
SVG_VECTORS = [
    f'<svg {SVG} onload="window.{MARK} = 1; alert(1)"/>',
    f"<svg {SVG}>{MINT_TOKEN}</svg>",
    f'<svg {SVG}><animate onbegin="window.{MARK} = 1; alert(3)" attributeName="x" dur="1s"/></svg>',
    f'<svg {SVG}><image href="x" onerror="window.{MARK} = 1; alert(4)"/></svg>',
    f'<svg {SVG}><foreignObject width="99" height="99"><body xmlns="http://www.w3.org/1999/xhtml">'
    f'<img src="x" onerror="window.{MARK} = 1; alert(5)"/></body></foreignObject></svg>',
    f'<svg {SVG}><a href="javascript:alert(6)"><text y="20">x</text></a></svg>',
]
# Chromium reports what it refused as console errors, and the images that hostile text points
# nowhere (Swagger UI keeps <img src=x>, without its handler) fail to load; nothing else may.
REFUSALS = re.compile(r"sandboxed|Content Security Policy directive|Refused to (display|frame) ")
BROKEN_IMAGES = re.compile(
    r"Failed to load resource: (the server responded with a status of 404|net::ERR_NAME_NOT_RESOLVED)"
)


@dataclass
class Executions:
    """Every sign that a payload ran: dialogs, the marker in the console or on `window`."""

    seen: list[str] = field(default_factory=list)
    checks: int = 0

    def watch(self, page: Page) -> None:
        page.on("dialog", lambda dialog: self._dialog(page, dialog))
        page.on("console", lambda message: self._console(page, message.text))

    def _dialog(self, page: Page, dialog: Dialog) -> None:
        self.seen.append(f"{dialog.type}({dialog.message!r}) on {page.url}")
        dialog.dismiss()

    def _console(self, page: Page, text: str) -> None:
        if MARK in text and "violates" not in text and "Blocked" not in text:
            self.seen.append(f"console {text!r} on {page.url}")

    def check(self, page: Page, surface: str) -> None:
        # Error events of images and SVG animations fire just after load.
        page.wait_for_timeout(100)
        self.checks += 1
        for frame in page.frames:
            # A refused frame shows Chromium's error page, where evaluate may fail.
            with contextlib.suppress(PlaywrightError):
                if frame.evaluate(f"() => window.{MARK} ?? null") is not None:
                    self.seen.append(f"window.{MARK} set on {frame.url} ({surface})")


@dataclass
class HostileApi:
    slug: str
    vectors: list[str]
    mock_paths: list[str]


def _spec(title: str, vectors: list[str], documents: dict[str, tuple[str, str]]) -> str:
    """An OpenAPI document with the vectors in every description and the documents as examples."""
    text = "\n\n".join(vectors)
    paths = {
        path: {
            "get": {
                "summary": text[:500],
                "description": text,
                "parameters": [
                    {"name": "q", "in": "query", "description": text, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {"description": text, "content": {media: {"example": document}}}
                },
            }
        }
        for path, (media, document) in documents.items()
    }
    info = {"title": f"{title} {vectors[0]}", "description": text, "version": "1"}
    return json.dumps({"openapi": "3.0.3", "info": info, "paths": paths})


def register_hostile_apis(attacker) -> list[HostileApi]:
    """One API per class of the own corpus, serving the class as HTML; one serving SVG."""
    storable = {source for _, source in storable_xss_vectors()}
    apis = []
    for number, (name, sources) in enumerate(xss_classes().items()):
        vectors = [source for source in sources if source in storable]
        page = "<!doctype html><html><body>" + MINT_TOKEN + CANARY + "\n".join(vectors)
        apis.append(_hostile_api(attacker, f"Hostile {number} {name}", vectors, {"/page": page}))
    svgs = {f"/svg/{number}": document for number, document in enumerate(SVG_VECTORS)}
    apis.append(_hostile_api(attacker, "Hostile SVG", SVG_VECTORS, svgs, media="image/svg+xml"))
    return apis


def _hostile_api(
    attacker, name: str, vectors: list[str], pages: dict[str, str], media: str = "text/html"
) -> HostileApi:
    description = "\n".join(vectors)[:5000]
    api = api_create(actor=attacker, name=name, description=description)
    documents = {path: (media, body) for path, body in pages.items()}
    spec_version_create(
        api=api, raw=_spec(name, vectors, documents), source="upload", actor=attacker
    )
    return HostileApi(api.slug, vectors, [f"/mock/{api.slug}/latest{path}" for path in pages])


def open_mock(page: Page, url: str) -> None:
    """Open a mock URL as a link would (Chromium saves an attachment: goto then fails)."""
    with contextlib.suppress(PlaywrightError):
        page.goto(url)


def render_anyway(page: Page, url: str, strip: tuple[str, ...]) -> None:
    """Open the mock with some of its response headers removed in transit."""

    def without_headers(route: Route) -> None:
        response = route.fetch()
        headers = {k: v for k, v in response.headers.items() if k.lower() not in strip}
        route.fulfill(response=response, headers=headers)

    page.route(url, without_headers)
    try:
        response = page.goto(url)
        assert response is not None
        assert response.ok
    finally:
        page.unroute(url)


def frame_mock(page: Page, url: str) -> None:
    page.evaluate(
        """url => { const frame = document.createElement("iframe");
                    frame.src = url; document.body.append(frame); }""",
        url,
    )
    page.wait_for_timeout(150)


def expand_swagger(page: Page) -> None:
    expect(page.locator(".swagger-ui .info")).to_be_visible()
    summaries = page.locator(".opblock-summary-control")
    for index in range(summaries.count()):
        summaries.nth(index).click()
    expect(page.locator(".opblock-body")).to_have_count(summaries.count())


def sort_browser_errors(browser_errors) -> tuple[int, list[str]]:
    """Chromium's reports of what it blocked (counted) apart from anything unexpected."""
    refused = [message for message in browser_errors.messages if REFUSALS.search(message)]
    unexpected = [
        message
        for message in browser_errors.messages
        if not (REFUSALS.search(message) or BROKEN_IMAGES.search(message))
    ]
    browser_errors.clear()
    return len(refused), unexpected


@pytest.fixture
def victim(new_page):
    user = UserFactory(email="victim@example.com", display_name="Vic Tim")
    page = new_page()
    log_in(page, email=user.email, password=DEFAULT_PASSWORD)
    return user, page


@pytest.mark.verify  # the whole corpus through every surface: make verify
def test_no_mock_example_or_spec_text_runs_for_a_signed_in_victim(
    victim, browser_errors, screenshot, live_server
):
    user, page = victim
    apis = register_hostile_apis(UserFactory(display_name="Mallory"))
    executions = Executions()
    executions.watch(page)
    saved: list[str] = []
    page.on("download", lambda download: saved.append(download.url))

    def mock_opened(api: HostileApi) -> None:
        page.goto("/apis/")
        for url in api.mock_paths:
            open_mock(page, url)
            executions.check(page, "mock opened")

    def mock_rendered_anyway(api: HostileApi) -> None:
        for url in api.mock_paths:
            render_anyway(page, url, strip=("content-disposition",))
            executions.check(page, "mock rendered despite the attachment")

    def mock_framed(api: HostileApi) -> None:
        page.goto("/apis/")
        for url in api.mock_paths:
            frame_mock(page, url)
        executions.check(page, "mock framed by an app page")

    def api_page(api: HostileApi) -> None:
        page.goto(f"/apis/{api.slug}/")
        expect(page.get_by_test_id("api-name")).to_be_visible()
        executions.check(page, "API page")

    def version_page(api: HostileApi) -> None:
        page.goto(f"/apis/{api.slug}/versions/1/")
        executions.check(page, "version page")

    def operation_pages(api: HostileApi) -> None:
        for operation in Operation.objects.filter(version__api__slug=api.slug):
            page.goto(f"/apis/{api.slug}/operations/{operation.pk}/")
            expect(page.get_by_role("main")).to_contain_text(api.vectors[0][:40])
            executions.check(page, "operation page")

    def swagger_ui(api: HostileApi) -> None:
        page.goto(f"/apis/{api.slug}/versions/1/swagger/")
        expand_swagger(page)
        executions.check(page, "Swagger UI")

    surfaces: list[Callable[[HostileApi], None]] = [
        mock_opened,
        mock_rendered_anyway,
        mock_framed,
        api_page,
        version_page,
        operation_pages,
        swagger_ui,
    ]
    refused, unexpected = 0, []
    for surface in surfaces:
        for api in apis:
            surface(api)
        refusals, others = sort_browser_errors(browser_errors)
        refused, unexpected = refused + refusals, unexpected + others
        if page.url.startswith(live_server.url + "/apis/"):  # an app page, worth a look
            screenshot(surface.__name__, page)

    vectors = sum(len(api.vectors) for api in apis)
    minted = ApiToken.objects.filter(user=user).count()
    figures.report(
        f"\nxss: {vectors} vectors × {len(surfaces)} surfaces, {len(executions.seen)} executions"  # noqa: RUF001
        f" ({executions.checks} page checks, {refused} refusals reported by Chromium,"
        f" {len(saved)} mock answers saved as files instead, {minted} tokens minted)"
    )
    assert executions.seen == []
    assert minted == 0
    assert unexpected == []
    # Opened or framed, Chromium saved every mock answer as a file rather than rendering it.
    assert {urlsplit(url).path for url in saved} == {
        path for api in apis for path in api.mock_paths
    }
    assert refused > 0  # Chromium said what it blocked: the payloads were there to block


def test_the_checks_see_a_mock_answer_that_is_not_sandboxed(victim, browser_errors):
    # Guards the guard: an answer with our headers removed in transit runs, mints the victim a
    # token, and every hook sees it.
    user, page = victim
    vector = "<img src=x onerror=alert(1)>"
    document = "<!doctype html><html><body>" + MINT_TOKEN + CANARY + vector
    api = _hostile_api(UserFactory(), "Unguarded", [vector], {"/page": document})
    executions = Executions()
    executions.watch(page)
    inert = ("content-security-policy", "content-disposition", "x-content-type-options")
    render_anyway(page, api.mock_paths[0], strip=inert)
    page.wait_for_function("() => window.__minted !== undefined")
    executions.check(page, "mock without its headers")
    assert any(seen.startswith("alert('1')") for seen in executions.seen), executions.seen
    assert any(seen.startswith(f"console '{MARK} fired'") for seen in executions.seen)
    assert any(seen.startswith(f"window.{MARK} set") for seen in executions.seen)
    assert page.evaluate("() => window.__minted") == 201
    assert ApiToken.objects.filter(user=user, name="minted by a mock").count() == 1
    browser_errors.clear()  # the page's broken image, expected here
