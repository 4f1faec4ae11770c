"""Article review before publishing, in a real browser (issue #18): the author asks for a review;
the mentor, told by the bell, comments on a line, scores the rubric and requests changes; the
author edits (the comment shows as outdated) and asks again; the mentor approves and the
article is published. The rubric and the cohort are made in setup, through services."""

import datetime

import pytest
from playwright.sync_api import expect

from nexus.accounts.models import Role
from nexus.journal.models import Cohort, CohortMembership, Program
from nexus.knowledge import services as knowledge_services
from nexus.knowledge.models import Article
from nexus.mentorship.models import ArticleReviewRequest, ReviewComment
from nexus.mentorship.services.rubrics import rubric_create
from tests.e2e import article_review_steps as steps
from tests.e2e.login import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e

BODY = (
    "# Caching in practice\n\nKeep hot data in memory.\nExpire it on every write.\n\nMeasure first."
)
LINE_3 = "Keep hot data in memory."


@pytest.fixture
def people(base_url):
    author = UserFactory(email="lena@example.com", display_name="Lena Learner")
    mentor = UserFactory(email="marc@example.com", display_name="Marc Mentor", role=Role.MENTOR)
    program = Program.objects.get_or_create(slug="backend", defaults={"title": "Backend"})[0]
    cohort = Cohort.objects.create(
        program=program, name="Review cohort", start_date=datetime.date(2026, 1, 5)
    )
    cohort.mentors.set([mentor])
    CohortMembership.objects.create(cohort=cohort, learner=author)
    rubric_create(
        actor=mentor,
        name="Article rubric",
        criteria=[
            {"name": "Accuracy", "scale": 4, "levels": ["Wrong", "Shaky", "Right", "Precise"]},
            {"name": "Clarity", "scale": 3, "levels": ["Muddled", "Clear", "Crisp"]},
        ],
    )
    article = knowledge_services.article_create(
        author=author, title="Caching in practice", body=BODY, status="draft"
    )
    return author, mentor, article


def test_an_article_is_reviewed_changed_and_approved_before_it_is_published(
    new_page, screenshot, people
):
    author, mentor, article = people
    article_path = article.get_absolute_url()

    # The author asks for a review, scored with the rubric.
    writer = new_page()
    log_in(writer, author.email, next_path=article_path)
    steps.request_review(writer, article_path, rubric="Article rubric")
    screenshot("review-requested", writer)
    first_round = ArticleReviewRequest.objects.get(article=article)
    first_review_path = f"/mentorship/reviews/articles/{first_round.pk}/"

    # The mentor's bell says so; they comment on line 3, score, and request changes.
    reviewer = new_page()
    log_in(reviewer, mentor.email)
    steps.expect_bell(reviewer, 1)
    steps.open_newest_notification(reviewer, "Caching in practice")
    steps.comment_on_line(reviewer, 3, "Which data is hot? Give an example.")
    screenshot("line-commented", reviewer)
    steps.score_and_decide(
        reviewer,
        {"Accuracy": "2 — Shaky", "Clarity": "2 — Clear"},
        "Request changes",
        "An example would make line 3 concrete.",
    )
    steps.expect_round_status(reviewer, "Changes requested")
    screenshot("changes-requested", reviewer)
    article.refresh_from_db()
    assert article.status == "draft"
    assert ReviewComment.objects.get().line_text == LINE_3

    # The author is told, edits line 3 (the comment is now outdated), and asks again.
    writer.reload()
    steps.expect_bell(writer, 1)
    steps.expect_review_on_article_page(
        writer, article_path, "Request changes by Marc Mentor", "Which data is hot?"
    )
    screenshot("decision-on-the-article", writer)
    steps.edit_body(writer, article.slug, LINE_3, "Keep hot data, such as sessions, in memory.")
    steps.expect_review_on_article_page(writer, article_path, "Outdated line 3")
    steps.expect_outdated_comment(writer, first_review_path, "Which data is hot?")
    screenshot("comment-outdated", writer)
    steps.request_review(writer, article_path, rubric="Article rubric")

    # The mentor approves the new round: the article is published.
    reviewer.goto("/")
    steps.expect_bell(reviewer, 1)
    steps.open_newest_notification(reviewer, "Caching in practice")
    expect(reviewer.get_by_test_id("outdated-comment")).to_have_count(1)
    steps.score_and_decide(
        reviewer, {"Accuracy": "4 — Precise", "Clarity": "3 — Crisp"}, "Approve", "Good."
    )
    steps.expect_round_status(reviewer, "Approved")
    screenshot("approved", reviewer)
    steps.expect_published(writer, article_path)
    screenshot("published", writer)
    article.refresh_from_db()
    assert article.status == "published"
    assert Article.objects.filter(status="published", pk=article.pk).exists()
