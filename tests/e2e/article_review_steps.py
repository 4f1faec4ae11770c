"""Steps of the article review flow, one small function each, so a later combined test (the
whole of issue #18 in one walk) reuses them. Each step acts in the browser only."""

import re

from playwright.sync_api import Page, expect


def request_review(page: Page, article_path: str, *, rubric: str | None = None) -> None:
    """The author, on their draft, asks for a review (their mentors, the default reviewers)."""
    page.goto(article_path)
    page.get_by_test_id("article-reviews").click()
    form = page.get_by_test_id("request-review-form")
    if rubric is not None:
        form.get_by_label("Rubric").select_option(label=rubric)
    form.get_by_test_id("request-review").click()
    expect(page.get_by_test_id("round-status")).to_have_text("Open")


def expect_bell(page: Page, count: int) -> None:
    expect(page.get_by_test_id("bell-count")).to_have_text(str(count))


def open_newest_notification(page: Page, title_part: str) -> None:
    """From the bell to the notification list, then into the newest one naming `title_part`."""
    page.get_by_test_id("bell").click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    item = page.get_by_test_id("notification").filter(has_text=title_part).first
    item.get_by_role("button").first.click()
    expect(page).to_have_url(re.compile(r"/mentorship/reviews/articles/\d+/$"))


def comment_on_line(page: Page, line: int, text: str) -> None:
    """Open the line's comment form from the keyboard, write, and add it (htmx swaps the line)."""
    summary = page.get_by_test_id(f"comment-line-{line}")
    summary.focus()
    page.keyboard.press("Enter")
    page.get_by_label(f"Comment on line {line}", exact=True).fill(text)
    page.locator(f"#line-{line}").get_by_role("button", name="Add comment").click()
    expect(page.get_by_test_id(f"line-comments-{line}")).to_contain_text(text)


def score_and_decide(page: Page, scores: dict[str, str], decision: str, comment: str = "") -> None:
    """Pick each criterion's level (by its radio's label), the decision, and save."""
    form = page.get_by_test_id("decision-form")
    for criterion, level in scores.items():
        group = form.get_by_role("group", name=re.compile(rf"^{re.escape(criterion)}"))
        group.get_by_role("radio", name=level, exact=True).check()
    form.get_by_role("radio", name=decision, exact=True).check()
    if comment:
        form.get_by_label("Overall comment").fill(comment)
    form.get_by_test_id("save-decision").click()


def expect_round_status(page: Page, status: str) -> None:
    expect(page.get_by_test_id("round-status")).to_have_text(status)


def edit_body(page: Page, slug: str, replace: str, by: str) -> None:
    """The author edits one line of the draft in the editor and saves."""
    page.goto(f"/articles/{slug}/edit/")
    body = page.get_by_label("Body (Markdown)")
    body.fill(body.input_value().replace(replace, by))
    page.get_by_test_id("save-article").click()
    expect(page.get_by_test_id("article-body")).to_contain_text(by)


def expect_outdated_comment(page: Page, review_path: str, text: str) -> None:
    page.goto(review_path)
    outdated = page.get_by_test_id("outdated-comment")
    expect(outdated).to_have_count(1)
    expect(outdated).to_contain_text(text)
    expect(outdated).to_contain_text("Outdated")


def expect_published(page: Page, article_path: str) -> None:
    page.goto(article_path)
    expect(page.get_by_test_id("article-status")).to_have_count(0)
    expect(page.get_by_test_id("article-reviews")).to_have_count(0)


def expect_review_on_article_page(page: Page, article_path: str, *texts: str) -> None:
    """The author sees the latest decision and the line comments on the article itself."""
    page.goto(article_path)
    panel = page.get_by_test_id("review-panel")
    for text in texts:
        expect(panel).to_contain_text(text)
