"""The Markdown editor in a real browser, from the keyboard: shortcuts and the toolbar format the
text, Tab leaves the textarea, the preview follows the typing, an image comes in through the file
chooser and a file through a (synthetic) paste, axe-core finds nothing serious, and after two
saves the diff page shows the revisions rendered side by side (stacked on a phone)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from nexus.knowledge.models import Article, Attachment
from tests.e2e.conftest import REPO_ROOT
from tests.e2e.login import log_in
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.knowledge.factories import ensure_taxonomy

pytestmark = pytest.mark.e2e

AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS_AXE_VIOLATIONS = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter((violation) => ["serious", "critical"].includes(violation.impact))
    .map((violation) => `${violation.id}: ` + violation.nodes.map((n) => n.target.join(" ")).join(" | "));
}"""
PASTE_A_FILE = """(textarea) => {
  const data = new DataTransfer();
  data.items.add(new File(["retry after 2, 4, 8 seconds\\n"], "notes.txt", {type: "text/plain"}));
  textarea.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def png(width: int = 12, height: int = 8) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(output, format="PNG")
    return output.getvalue()


@pytest.fixture
def author(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the live server runs in this process: uploads land here
    ensure_taxonomy()
    return UserFactory(email="ada@example.com", display_name="Ada")


def type_with_shortcuts(page: Page, body) -> None:
    body.focus()
    page.keyboard.press("Control+B")  # **bold text**, the placeholder selected
    page.keyboard.type("Backoff")
    page.keyboard.press("End")
    page.keyboard.type(" keeps retries polite; call ")
    page.keyboard.press("Control+E")
    page.keyboard.type("retry()")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Shift+8")
    page.keyboard.type("first try")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Shift+7")
    page.keyboard.type("then wait")


def test_write_with_the_keyboard_attach_preview_save_and_compare(
    new_page, author, screenshot, browser_errors
):
    page = new_page()
    page.context.add_init_script(path=AXE_SCRIPT)
    log_in(page, email=author.email, password=DEFAULT_PASSWORD)
    page.goto("/articles/new/")
    form = page.get_by_test_id("article-form")
    form.get_by_label("Title").fill("Retrying politely")
    body = form.get_by_label("Body (Markdown)")

    type_with_shortcuts(page, body)
    expect(body).to_have_value(
        "**Backoff** keeps retries polite; call `retry()`\n\n- first try\n1. then wait"
    )
    # The toolbar is one tab stop before the text; arrows move along it, Enter applies.
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Bold")).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("button", name="Heading")).to_be_focused()
    page.keyboard.press("Enter")
    expect(body).to_be_focused()
    expect(body).to_have_value(re.compile(r"\n### 1\. then wait$"))
    # Tab is not swallowed by the editor: it moves on.
    page.keyboard.press("Tab")
    expect(body).not_to_be_focused()
    assert "\t" not in body.input_value()

    preview = page.get_by_test_id("preview")
    expect(preview.locator("strong")).to_have_text("Backoff")
    expect(preview.locator("code")).to_have_text("retry()")
    expect(preview.locator("h3")).to_have_text("1. then wait")

    # An image through the file chooser, a text file by pasting it into the text.
    body.focus()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Attach an image or file").click()
    chooser.value.set_files(
        files=[{"name": "diagram.png", "mimeType": "image/png", "buffer": png()}]
    )
    status = page.get_by_test_id("editor-status")
    expect(status).to_have_text("Attached diagram.png.")
    assert status.get_attribute("role") == "status"
    expect(body).to_have_value(
        re.compile(r"!\[diagram\.png\]\(/attachments/[0-9a-f-]{36}/diagram\.png\)")
    )
    image = preview.locator("img[alt='diagram.png']")
    expect(image).to_be_visible()
    page.wait_for_function(
        '() => document.querySelector("[data-testid=preview] img").naturalWidth === 12'
    )
    body.evaluate(PASTE_A_FILE)
    expect(status).to_have_text("Attached notes.txt.")
    expect(body).to_have_value(
        re.compile(r"\[notes\.txt\]\(/attachments/[0-9a-f-]{36}/notes\.txt\)$")
    )
    assert Attachment.objects.filter(owner=author).count() == 2

    violations = page.evaluate(SERIOUS_AXE_VIOLATIONS)
    print(f"\naxe on the editor page: {len(violations)} serious/critical violations")
    assert violations == []
    screenshot("editor-keyboard-and-attachments", page)

    form.get_by_label("Status").select_option("published")
    form.get_by_test_id("save-article").click()
    expect(page).to_have_url(re.compile(r"/articles/retrying-politely/$"))
    expect(page.get_by_test_id("article-body").locator("img")).to_have_attribute(
        "src", re.compile(r"^/attachments/")
    )

    # A second version, then the rendered diff of the two.
    page.goto("/articles/retrying-politely/edit/")
    body = page.get_by_label("Body (Markdown)")
    body.focus()
    page.keyboard.press("Control+Home")
    page.keyboard.type("Start small. ")
    page.get_by_test_id("save-article").click()
    expect(page).to_have_url(re.compile(r"/articles/retrying-politely/$"))
    assert Article.objects.get().version == 2

    page.goto("/articles/retrying-politely/diff/?from=1&to=2")
    rendered = page.get_by_test_id("rendered-diff")
    expect(rendered.locator("[data-kind=changed] .diff-new strong")).to_have_text("Backoff")
    expect(rendered.locator("[data-kind=changed] .diff-new")).to_contain_text("Start small.")
    expect(rendered.locator("[data-kind=changed] .diff-old")).not_to_contain_text("Start small.")
    expect(rendered.locator("[data-kind=equal] img").first).to_be_visible()
    expect(page.get_by_test_id("revision-diff")).to_be_hidden()  # in the closed <details>
    page.get_by_text("Text diff (unified)").click()
    expect(page.get_by_test_id("revision-diff")).to_contain_text("+Start small.")
    old, new = rendered.locator("[data-kind=changed] .rendered-diff-cell").all()
    assert old.bounding_box()["y"] == new.bounding_box()["y"]  # side by side
    violations = page.evaluate(SERIOUS_AXE_VIOLATIONS)
    print(f"axe on the diff page: {len(violations)} serious/critical violations")
    assert violations == []
    screenshot("rendered-diff-wide", page)

    phone = new_page(
        viewport={"width": 390, "height": 844}, storage_state=page.context.storage_state()
    )
    phone.goto("/articles/retrying-politely/diff/?from=1&to=2")
    cells = (
        phone.get_by_test_id("rendered-diff")
        .locator("[data-kind=changed] .rendered-diff-cell")
        .all()
    )
    assert cells[0].bounding_box()["y"] < cells[1].bounding_box()["y"]  # stacked
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot("rendered-diff-phone", phone)


def test_on_a_phone_in_dark_mode_the_preview_sits_below_the_text(new_page, author, screenshot):
    page = new_page(viewport={"width": 390, "height": 844}, color_scheme="dark", is_mobile=True)
    page.context.add_init_script(path=AXE_SCRIPT)
    log_in(page, email=author.email, password=DEFAULT_PASSWORD)
    page.goto("/articles/new/")
    body = page.get_by_label("Body (Markdown)")
    body.fill("# Phone\n\n" + "averyveryverylongwordwithoutspaces" * 4)
    preview = page.get_by_test_id("preview")
    expect(preview.locator("h1")).to_have_text("Phone")
    below = preview.bounding_box()["y"] >= body.bounding_box()["y"] + body.bounding_box()["height"]
    assert below, "the preview stacks under the textarea on a phone"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    violations = page.evaluate(SERIOUS_AXE_VIOLATIONS)
    print(f"\naxe on the editor, phone, dark: {len(violations)} serious/critical violations")
    assert violations == []
    screenshot("editor-phone-dark", page)


def test_without_javascript_the_textarea_still_posts(new_page, author):
    page = new_page(java_script_enabled=False)
    log_in(page, email=author.email, password=DEFAULT_PASSWORD)
    page.goto("/articles/new/")
    expect(page.get_by_role("toolbar")).to_be_hidden()
    page.get_by_label("Title").fill("Plain posting")
    page.get_by_label("Body (Markdown)").fill("Just **text**.")
    page.get_by_test_id("save-article").click()
    expect(page).to_have_url(re.compile(r"/articles/plain-posting/$"))
    assert Article.objects.get().body == "Just **text**."


DROP_FILES = """(textarea, files) => {
  const data = new DataTransfer();
  for (const [name, type, text] of files) data.items.add(new File([text], name, {type}));
  textarea.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
}"""


def test_a_dropped_file_is_attached_and_a_refused_one_is_announced(
    new_page, author, browser_errors
):
    page = new_page()
    log_in(page, email=author.email, password=DEFAULT_PASSWORD)
    page.goto("/challenges/new/")
    body = page.get_by_label("Problem statement")
    body.fill("Logs attached: ")
    status = page.get_by_test_id("editor-status")
    body.evaluate(DROP_FILES, [["worker.log", "text/plain", "Timeout after 30s\n"]])
    expect(status).to_have_text("Attached worker.txt.")  # named for what the bytes are
    expect(body).to_have_value(re.compile(r"^Logs attached: \[worker\.txt\]\(/attachments/"))
    body.evaluate(DROP_FILES, [["cat.png", "image/png", "<html><script>alert(1)</script>"]])
    expect(status).to_have_text(re.compile(r"^Could not attach cat\.png: This kind of file"))
    assert Attachment.objects.count() == 1
    expect(page.get_by_test_id("preview").locator("a")).to_have_text("worker.txt")
    # Chromium logs the refused upload's 400 as a console error: that refusal is the point here.
    assert [m for m in browser_errors.messages if "400 (Bad Request)" not in m] == []
    browser_errors.clear()
