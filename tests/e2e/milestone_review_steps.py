"""Steps of the rubric-scored milestone review in a browser, each a small function, so that this
flow's test and a later end-to-end one over all of mentorship walk the same steps."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.mentorship_steps import log_in
from tests.e2e.test_journal_flow import assert_chart_drawn

__all__ = ["log_in"]


def learner_submits_first_milestone(page: Page, repository_url: str) -> None:
    """On My milestones, the first milestone submitted with a repository link."""
    page.goto("/journal/milestones/")
    first = page.get_by_test_id("milestone").first
    first.get_by_label("Status").select_option("submitted")
    first.get_by_label("Repository").fill(repository_url)
    first.get_by_role("button", name="Save milestone").click()
    expect(page.get_by_test_id("milestone").first.get_by_test_id("milestone-status")).to_have_text(
        "Submitted"
    )


def bell_shows(page: Page, count: int) -> None:
    page.goto("/journal/milestones/")
    expect(page.get_by_test_id("bell-count")).to_have_text(str(count))


def mentor_opens_the_review_from_the_queue(page: Page, learner_name: str) -> None:
    page.goto("/journal/review/")
    item = page.get_by_test_id("review-item").filter(has_text=learner_name).first
    item.get_by_test_id("score-link").click()
    expect(page.get_by_test_id("review-form")).to_be_visible()


def mentor_scores(page: Page, scores: dict[str, int], decision: str, comment: str = "") -> None:
    """Score each criterion (its radio group shows the level texts), decide, and save."""
    form = page.get_by_test_id("review-form")
    for criterion, score in scores.items():
        group = form.get_by_role("group", name=re.compile(rf"^{re.escape(criterion)} \("))
        group.get_by_role("radio", name=re.compile(rf"^{score}\b")).check()
        group.get_by_label(f"Comment on {criterion}").fill(f"{criterion}: {score}")
    if comment:
        form.get_by_label("Overall comment").fill(comment)
    form.get_by_role("radio", name=decision).check()
    form.get_by_role("button", name="Save review").click()
    expect(page.get_by_test_id("review-form")).to_have_count(0)


def learner_reads_the_notification(page: Page, text: str) -> None:
    page.goto("/notifications/")
    expect(page.get_by_role("main")).to_contain_text(text)


def thread_shows_rounds(page: Page, progress_id: int, rounds: int) -> None:
    page.goto(f"/mentorship/milestones/{progress_id}/")
    expect(page.get_by_test_id("round")).to_have_count(rounds)


def cohort_dashboard_shows_rubric_charts(page: Page, cohort_id: int) -> None:
    page.goto(f"/journal/cohorts/{cohort_id}/")
    for canvas in ("chart-rubric-scores", "chart-rubric-trend"):
        assert_chart_drawn(page, canvas)
    expect(page.get_by_test_id("chart-rubric-scores")).to_contain_text("CSV")
