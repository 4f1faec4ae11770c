"""Rendered hostile Markdown loaded into Chromium: nothing in it may run, and the browser's own
HTML parser must find no script, event handler or dangerous URL in what we produced."""

from collections.abc import Iterator

import pytest

from nexus.core.markdown import render_markdown
from tests import hostile
from tests.shared import require

pytestmark = pytest.mark.e2e

PAGE_BATCH = 25
# Runs in the page after the payloads are parsed: anything dangerous the browser built from them.
FIND_DANGER = """() => {
  const structural = new Set(["HTML", "HEAD", "BODY"]);
  const forbidden = new Set(["SCRIPT", "STYLE", "SVG", "MATH", "IFRAME", "FRAME", "FRAMESET",
    "OBJECT", "EMBED", "APPLET", "FORM", "BUTTON", "TEXTAREA", "SELECT", "BASE", "META", "LINK",
    "TEMPLATE", "NOSCRIPT", "PORTAL"]);
  const problems = [];
  for (const el of document.documentElement.querySelectorAll("*")) {
    const tag = el.tagName.toUpperCase();
    if (structural.has(tag)) continue;
    if (forbidden.has(tag)) problems.push(`element <${tag}>`);
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) problems.push(`${name} on <${tag}>`);
      if (!["href", "src", "action", "formaction", "data", "xlink:href", "srcset"].includes(name)) {
        continue;
      }
      let protocol = "";
      try { protocol = new URL(attr.value, "https://nexus.example/").protocol; } catch { continue; }
      if (["javascript:", "vbscript:", "data:"].includes(protocol)) {
        problems.push(`${protocol} URL in ${name} of <${tag}>`);
      }
    }
  }
  return problems;
}"""


def batches(items: list[tuple[str, str]]) -> Iterator[list[tuple[str, str]]]:
    for start in range(0, len(items), PAGE_BATCH):
        yield items[start : start + PAGE_BATCH]


@pytest.fixture
def sandbox_page(browser):
    """A page with no network: payloads' image and link URLs go nowhere."""
    context = browser.new_context()
    context.route("**/*", lambda route: route.abort())
    yield context.new_page()
    context.close()


def assert_nothing_runs(page, payloads: list[tuple[str, str]]) -> None:
    fired: list[str] = []
    page.on(
        "dialog",
        lambda dialog: (fired.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()),
    )
    page.on("pageerror", lambda error: fired.append(f"page error: {error}"))
    for batch in batches(payloads):
        fragments = [f"<section>{render_markdown(source).html}</section>" for _, source in batch]
        page.set_content("<!doctype html><html><head></head><body>" + "".join(fragments))
        # Error events of broken images and autofocus handlers fire just after load.
        page.wait_for_timeout(150)
        titles = [title for title, _ in batch]
        assert fired == [], f"script ran for one of {titles}"
        assert page.evaluate(FIND_DANGER) == [], f"dangerous DOM from one of {titles}"


def test_the_own_corpus_rendered_runs_nothing_in_chromium(sandbox_page):
    payloads = hostile.xss_vectors()
    assert len(payloads) >= 200
    assert_nothing_runs(sandbox_page, payloads)


def test_the_shared_corpus_rendered_runs_nothing_in_chromium(sandbox_page):
    require(hostile.SHARED_XSS)
    assert_nothing_runs(sandbox_page, hostile.shared_xss_payloads())


def test_the_browser_check_sees_an_unsanitised_payload(sandbox_page):
    # Guards the guard: the same checks, fed raw HTML, must see it run and flag it.
    page = sandbox_page
    fired: list[str] = []
    page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
    page.set_content('<img src="x" onerror="alert(7)"><a href="javascript:alert(1)">x</a>')
    page.wait_for_timeout(150)
    assert fired == ["7"]
    assert page.evaluate(FIND_DANGER) == [
        "onerror on <IMG>",
        "javascript: URL in href of <A>",
    ]
