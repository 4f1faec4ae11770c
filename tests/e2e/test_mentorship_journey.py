"""Issue #18's whole walk in one browser session, with no admin site: an admin starts a cohort and
invites by link; a newcomer signs up through the link and joins; a mentor is assigned, writes a
rubric and puts it on the first milestone; the learner submits it; the mentor, told by the bell,
scores the rubric and requests changes; the learner, told too, resubmits and is approved; the
cohort dashboard draws the rubric charts. Then the same learner's article goes through review
before it is published. Only the two staff accounts and the default programme exist beforehand."""

import re

import pytest
from playwright.sync_api import Page, expect

from nexus.accounts.models import Role, User
from nexus.journal import selectors as journal_selectors
from nexus.journal.models import MilestoneProgress
from nexus.knowledge.models import Article
from nexus.mentorship.models import MilestoneReview
from tests.e2e import article_review_steps, mentorship_steps, milestone_review_steps
from tests.e2e.mentorship_steps import PASSWORD
from tests.e2e.test_journal_flow import default_data  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e

BODY = "# Idempotent consumers\n\nStore each message id.\nSkip ids seen before.\n\nTest a replay."


def bell_count(page: Page) -> int:
    page.goto("/journal/milestones/")
    count = page.get_by_test_id("bell-count")
    return int(count.inner_text()) if count.count() and count.is_visible() else 0


def create_rubric(page: Page, name: str, criteria: list[tuple[str, int, list[str]]]) -> None:
    page.goto("/mentorship/rubrics/new/")
    form = page.get_by_test_id("rubric-form")
    form.get_by_label("Name", exact=True).first.fill(name)  # then each criterion's own "Name"
    for index, (criterion, scale, levels) in enumerate(criteria):
        row = form.get_by_test_id("criterion-row").nth(index)
        row.get_by_label("Name").fill(criterion)
        row.get_by_label(re.compile(r"^Scale")).fill(str(scale))
        row.get_by_label("Level descriptions, one per line").fill("\n".join(levels))
    form.get_by_role("button", name="Save rubric").click()
    expect(page.get_by_test_id("rubric-version")).to_have_count(1)


def attach_rubric_to_first_milestone(page: Page, rubric: str) -> None:
    page.goto("/mentorship/milestone-rubrics/")
    form = page.get_by_test_id("milestone-rubrics-form")
    form.get_by_role("combobox").first.select_option(label=rubric)
    form.get_by_role("button", name="Save").click()
    expect(
        page.get_by_test_id("milestone-rubrics-form").get_by_role("combobox").first
    ).to_have_value(re.compile(r"^\d+$"))


def write_draft(page: Page, title: str, body: str) -> str:
    page.goto("/")
    page.get_by_test_id("write-article").click()
    form = page.get_by_test_id("article-form")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Body (Markdown)").fill(body)
    form.get_by_label("Status").select_option("draft")
    form.get_by_test_id("save-article").click()
    expect(page.get_by_test_id("article-body")).to_contain_text("Store each message id.")
    return re.sub(r"^https?://[^/]+", "", page.url)


def test_mentorship_from_an_invite_link_to_an_approved_milestone_and_a_reviewed_article(
    new_page,
    screenshot,
    default_data,  # noqa: F811
):
    User.objects.create_user("ada@example.com", PASSWORD, display_name="Ada Admin", role=Role.ADMIN)
    User.objects.create_user(
        "maya@example.com", PASSWORD, display_name="Maya Mentor", role=Role.MENTOR
    )

    # An admin starts a cohort and makes an invite link; a newcomer signs up through it and joins.
    admin = new_page()
    mentorship_steps.log_in(admin, "ada@example.com")
    cohort_path = mentorship_steps.start_cohort(admin, "Autumn 2027")
    join_path = mentorship_steps.make_invite_link(admin, cohort_path, max_uses=30)
    learner = new_page()
    mentorship_steps.sign_up_through_link(
        learner, join_path, email="nia@example.com", display_name="Nia Newcomer"
    )
    mentorship_steps.join(learner)
    nia = User.objects.get(email="nia@example.com")
    cohort = journal_selectors.cohort_of(learner=nia)
    assert cohort is not None
    assert cohort.name == "Autumn 2027"

    # The admin assigns a mentor; the mentor writes a rubric and scores the first milestone with it.
    mentorship_steps.assign_mentor(admin, cohort_path, learner="Nia Newcomer", mentor="Maya Mentor")
    mentor = new_page()
    mentorship_steps.log_in(mentor, "maya@example.com")
    mentorship_steps.mentor_sees_learner(mentor, cohort_path, learner="Nia Newcomer")
    create_rubric(
        mentor,
        "Service rubric",
        [
            ("Correctness", 4, ["Broken", "Partial", "Works", "Robust"]),
            ("Tests", 3, ["None", "Some", "Thorough"]),
        ],
    )
    attach_rubric_to_first_milestone(mentor, "Service rubric")

    # The learner submits; the mentor's bell rises; they score and request changes.
    before = bell_count(mentor)
    milestone_review_steps.learner_submits_first_milestone(
        learner, "https://git.example.com/nia/api"
    )
    milestone_review_steps.bell_shows(mentor, before + 1)
    milestone_review_steps.mentor_opens_the_review_from_the_queue(mentor, "Nia Newcomer")
    screenshot("journey-mentor-scores", mentor)
    milestone_review_steps.mentor_scores(
        mentor, {"Correctness": 2, "Tests": 1}, "Request changes", "Cover the retries with tests."
    )

    # The learner is told, resubmits, and is approved.
    milestone_review_steps.learner_reads_the_notification(learner, "needs changes")
    milestone_review_steps.learner_submits_first_milestone(
        learner, "https://git.example.com/nia/api-v2"
    )
    milestone_review_steps.mentor_opens_the_review_from_the_queue(mentor, "Nia Newcomer")
    milestone_review_steps.mentor_scores(mentor, {"Correctness": 4, "Tests": 3}, "Approve")
    progress = MilestoneProgress.objects.get(learner=nia, milestone__number=1)
    milestone_review_steps.thread_shows_rounds(learner, progress.pk, 2)
    assert progress.status == "done"
    assert list(
        MilestoneReview.objects.filter(submission__progress=progress)
        .order_by("id")
        .values_list("decision", flat=True)
    ) == ["changes_requested", "approved"]

    # The cohort dashboard draws the rubric charts.
    milestone_review_steps.cohort_dashboard_shows_rubric_charts(mentor, cohort.pk)
    screenshot("journey-rubric-charts", mentor)

    # The same for an article: a draft, a review requested, changes asked, approved, published.
    article_path = write_draft(learner, "Idempotent consumers", BODY)
    article_review_steps.request_review(learner, article_path, rubric="Service rubric")
    mentor.goto("/")
    article_review_steps.open_newest_notification(mentor, "Idempotent consumers")
    article_review_steps.comment_on_line(mentor, 3, "Where are the ids kept, and for how long?")
    article_review_steps.score_and_decide(
        mentor,
        {"Correctness": "3 — Works", "Tests": "1 — None"},
        "Request changes",
        "Say where the ids live.",
    )
    article_review_steps.expect_round_status(mentor, "Changes requested")
    article_review_steps.expect_review_on_article_page(
        learner, article_path, "Where are the ids kept"
    )
    slug = article_path.rstrip("/").rsplit("/", 1)[-1]
    article_review_steps.edit_body(
        learner, slug, "Store each message id.", "Store each message id in Redis for a day."
    )
    article_review_steps.request_review(learner, article_path, rubric="Service rubric")
    mentor.goto("/")
    article_review_steps.open_newest_notification(mentor, "Idempotent consumers")
    article_review_steps.score_and_decide(
        mentor, {"Correctness": "4 — Robust", "Tests": "2 — Some"}, "Approve", "Clear now."
    )
    article_review_steps.expect_round_status(mentor, "Approved")
    article_review_steps.expect_published(learner, article_path)
    screenshot("journey-article-published", learner)
    assert Article.objects.get(slug=slug).status == "published"
