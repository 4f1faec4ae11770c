"""The knowledge base in a real browser: write with a live preview, publish, edit from two
sessions (the stale save is caught and nothing is lost), read the diff, revert."""

import re

import pytest
from playwright.sync_api import Page, expect

from nexus.accounts.models import Role, User
from nexus.knowledge import services
from nexus.knowledge.models import Article
from tests.e2e.login import log_in
from tests.knowledge.factories import ensure_taxonomy

pytestmark = pytest.mark.e2e

PASSWORD = "correct-Horse-battery-41"
BODY = """## Retrying tasks

| Setting | Value |
|---------|-------|
| max_retries | 5 |

```python
@shared_task(autoretry_for=(IOError,))
def fetch(url):
    return get(url)
```
"""


@pytest.fixture
def taxonomy(transactional_db):
    ensure_taxonomy()


def open_editor(page: Page, slug: str) -> None:
    page.goto(f"/articles/{slug}/edit/")
    expect(page.get_by_test_id("article-form")).to_be_visible()


def test_write_preview_publish_conflict_diff_and_revert(
    new_page, screenshot, browser_errors, taxonomy
):
    User.objects.create_user("ada@example.com", PASSWORD, display_name="Ada Author")
    User.objects.create_user(
        "maya@example.com", PASSWORD, display_name="Maya Mentor", role=Role.MENTOR
    )
    ada = new_page()
    log_in(ada, "ada@example.com", PASSWORD)

    # Write, preview, publish.
    ada.goto("/")
    ada.get_by_test_id("write-article").click()
    form = ada.get_by_test_id("article-form")
    form.get_by_label("Title").fill("Retrying Celery tasks")
    form.get_by_label("Kind").select_option(label="Guide")
    # Technologies and tags go through the type-ahead chooser: type, then Enter adds a chip.
    for label, values in (
        ("Technologies", ("Celery", "RabbitMQ")),
        ("Tags", ("reliability", "queues")),
    ):
        for value in values:
            form.get_by_role("combobox", name=label).fill(value)
            form.get_by_role("combobox", name=label).press("Enter")
    form.get_by_label("Body (Markdown)").fill(BODY)
    preview = ada.get_by_test_id("preview")
    expect(preview.locator("table td").first).to_have_text("max_retries")
    expect(preview.locator("pre.highlight")).to_contain_text("autoretry_for")
    screenshot("editor-with-preview", ada)
    form.get_by_label("Status").select_option("published")
    form.get_by_test_id("save-article").click()
    expect(ada).to_have_url(re.compile(r"/articles/retrying-celery-tasks/$"))
    body = ada.get_by_test_id("article-body")
    expect(body.locator("table")).to_be_visible()
    expect(body.locator("pre.highlight")).to_contain_text("def fetch")
    screenshot("published-article", ada)

    # Two sessions open the editor on version 1; the mentor saves first.
    maya = new_page()
    log_in(maya, "maya@example.com", PASSWORD)
    open_editor(ada, "retrying-celery-tasks")
    open_editor(maya, "retrying-celery-tasks")
    maya_body = maya.get_by_label("Body (Markdown)")
    maya_body.fill(BODY.replace("| max_retries | 5 |", "| max_retries | 3 |"))
    maya.get_by_label("What did you change?").fill("Fewer retries")
    maya.get_by_test_id("save-article").click()
    expect(maya.get_by_role("status").first).to_contain_text("Saved as version 2")

    ada_body = ada.get_by_label("Body (Markdown)")
    ada_body.fill(BODY + "\nAlways set a backoff.\n")
    with ada.expect_response(re.compile(r"/edit/$")) as refused:
        ada.get_by_test_id("save-article").click()
    assert refused.value.status == 409
    conflict = ada.get_by_test_id("conflict")
    expect(conflict).to_contain_text("Someone else saved this article")
    expect(ada.get_by_test_id("conflict-diff")).to_contain_text("+| max_retries | 3 |")
    expect(ada.get_by_label("Body (Markdown)")).to_have_value(re.compile("Always set a backoff"))
    screenshot("conflict-caught", ada)
    # Chromium logs every 4xx document as a console error, sometimes only after the page has
    # rendered; this one is the point of the test, so only other errors fail it.
    assert [m for m in browser_errors.messages if "409 (Conflict)" not in m] == []
    browser_errors.clear()
    assert Article.objects.get().body.count("max_retries | 3") == 1  # nothing overwritten

    # Ada merges the mentor's change into her text and saves on top of version 2.
    ada.get_by_label("Body (Markdown)").fill(
        BODY.replace("| max_retries | 5 |", "| max_retries | 3 |") + "\nAlways set a backoff.\n"
    )
    ada.get_by_test_id("save-article").click()
    expect(ada.get_by_role("status").first).to_contain_text("Saved as version 3")

    # History, a diff between revisions 1 and 3, and a revert to revision 1.
    ada.get_by_role("button", name="History").click()
    expect(ada.get_by_test_id("revision-3")).to_contain_text("current")
    ada.get_by_label("Compare from revision 1").check()
    ada.get_by_label("Compare to revision 3").check()
    ada.get_by_test_id("compare").click()
    diff = ada.get_by_test_id("revision-diff")
    expect(diff).to_contain_text("-| max_retries | 5 |")
    expect(diff).to_contain_text("+Always set a backoff.")
    screenshot("diff-1-to-3", ada)
    ada.get_by_test_id("revert-from-diff").click()
    expect(ada.get_by_role("status").first).to_contain_text("Reverted to revision 1 as version 4")
    expect(ada.get_by_test_id("article-body")).not_to_contain_text("Always set a backoff")
    expect(ada.get_by_test_id("article-body").locator("td").nth(1)).to_have_text("5")
    screenshot("reverted", ada)
    article = Article.objects.get()
    assert (article.version, article.revisions.count()) == (4, 4)
    assert article.body == BODY


def test_article_and_editor_fit_a_phone_in_dark_mode(new_page, screenshot, taxonomy):
    author = User.objects.create_user("ada@example.com", PASSWORD, display_name="Ada Author")
    wide_row = "| " + " | ".join(f"column {n}" for n in range(12)) + " |"
    body = (
        f"{wide_row}\n|{'---|' * 12}\n{wide_row}\n\n"
        f"```python\nvalue = {'x' * 200}\n```\n\n{'averyveryverylongwordwithoutspaces' * 6}"
    )
    services.article_create(
        author=author, title="Wide content", body=body, technologies=["python"], status="published"
    )
    phone = new_page(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, color_scheme="dark"
    )
    log_in(phone, "ada@example.com", PASSWORD)
    for path, step in (("/articles/wide-content/", "phone-article"), ("/", "phone-home")):
        phone.goto(path)
        screenshot(step, phone)
        widths = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{path} overflows sideways: {widths}"
    open_editor(phone, "wide-content")
    screenshot("phone-editor", phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
