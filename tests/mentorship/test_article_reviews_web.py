"""The article review pages: ask, read the numbered lines, comment (htmx), decide, the queue."""

import pytest

from nexus.mentorship import selectors
from nexus.mentorship.models import ArticleReview, ReviewComment
from nexus.mentorship.services import articles as reviews
from tests.mentorship.article_review_fixtures import a_rubric, cohort_with, draft_of, other_mentor

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(owner, mentor):
    cohort_with(learner=owner, mentors=[mentor])
    return owner


def test_the_author_asks_from_the_article_and_lands_on_the_review(client, author, mentor):
    article = draft_of(author)
    client.force_login(author)
    page = client.get(article.get_absolute_url())
    assert b"Request review" in page.content

    response = client.post(f"/mentorship/reviews/article/{article.slug}/", {"rubric": ""})

    round_ = article.review_requests.get()
    assert response.status_code == 302
    assert response["Location"] == f"/mentorship/reviews/articles/{round_.pk}/"
    assert list(round_.reviewers.all()) == [mentor]


def test_the_review_page_numbers_lines_and_an_htmx_comment_returns_the_line(client, author, mentor):
    article = draft_of(author)
    round_ = reviews.review_request(actor=author, article=article)
    client.force_login(mentor)
    page = client.get(f"/mentorship/reviews/articles/{round_.pk}/")
    assert page.status_code == 200
    assert b'id="line-3"' in page.content
    assert b"Keep hot data in memory." in page.content

    response = client.post(
        f"/mentorship/reviews/articles/{round_.pk}/comments/",
        {"revision": "2", "line": "3", "body": "Why **this**?"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert b'id="line-comments-3"' in response.content
    assert b"<strong>this</strong>" in response.content
    assert b"<html" not in response.content
    assert ReviewComment.objects.get().line_text == "Keep hot data in memory."


def test_a_comment_on_a_line_that_does_not_exist_is_a_400_with_the_reason(client, author, mentor):
    article = draft_of(author)
    round_ = reviews.review_request(actor=author, article=article)
    client.force_login(mentor)
    response = client.post(
        f"/mentorship/reviews/articles/{round_.pk}/comments/",
        {"revision": "2", "line": "60", "body": "x"},
    )
    assert response.status_code == 400
    assert b"has lines 1 to 6" in response.content
    assert not ReviewComment.objects.exists()


def test_deciding_without_every_score_is_a_400_next_to_the_scores(client, author, mentor):
    article = draft_of(author)
    round_ = reviews.review_request(actor=author, article=article, rubric=a_rubric(mentor))
    client.force_login(mentor)
    response = client.post(
        f"/mentorship/reviews/articles/{round_.pk}/decision/",
        {"decision": "approved", "score_0": "4"},
    )
    assert response.status_code == 400
    assert b'data-field="scores"' in response.content
    assert b"missing: Clarity" in response.content
    assert not ArticleReview.objects.exists()

    response = client.post(
        f"/mentorship/reviews/articles/{round_.pk}/decision/",
        {"decision": "approved", "score_0": "4", "score_1": "3"},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.is_published


def test_the_author_sees_the_decision_and_comments_on_the_article_page(
    client, author, mentor, other_user
):
    article = draft_of(author)
    round_ = reviews.review_request(actor=author, article=article)
    reviews.review_comment_add(
        actor=mentor, request=round_, revision_number=2, line=3, body="Which data?"
    )
    reviews.review_decide(
        actor=mentor, request=round_, decision="changes_requested", comment="Add an example."
    )
    client.force_login(author)
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<section class="review-panel" data-testid="review-panel"' in page
    assert "Request changes by Maya Mentor" in page
    assert "Which data?" in page
    assert "Add an example." in page
    client.force_login(other_user)
    assert client.get(article.get_absolute_url()).status_code == 403


def test_the_queue_lists_what_waits_for_the_reviewer(client, author, mentor, other_user):
    article = draft_of(author, title="Waiting for Maya")
    reviews.review_request(actor=author, article=article)
    client.force_login(mentor)
    assert b"Waiting for Maya" in client.get("/mentorship/reviews/").content
    client.force_login(other_user)
    assert b"Waiting for Maya" not in client.get("/mentorship/reviews/").content


def test_the_author_opts_in_from_the_reviews_page_and_then_may_not_publish_directly(
    client, author, mentor
):
    article = draft_of(author)
    client.force_login(author)
    page = client.get(f"/mentorship/reviews/article/{article.slug}/").content.decode()
    assert "may be published without a review" in page

    response = client.post(
        f"/mentorship/reviews/article/{article.slug}/setting/", {"required": "on"}
    )

    assert response.status_code == 302
    page = client.get(f"/mentorship/reviews/article/{article.slug}/").content.decode()
    assert "need an approved review before they are published" in page
    edit = client.post(
        f"/articles/{article.slug}/edit/",
        {
            "title": article.title,
            "body": article.body,
            "kind": "concept",
            "status": "published",
            "version": article.version,
        },
    )
    # The editor answers its field errors in place (as it always has), next to the status.
    assert 'data-field="status"' in edit.content.decode()
    assert "request one" in edit.content.decode()
    article.refresh_from_db()
    assert article.status == "draft"


def test_the_journal_nav_counts_articles_waiting_for_this_reviewer_only(client, author, mentor):
    article = draft_of(author)
    reviews.review_request(actor=author, article=article, reviewer_ids=[mentor.pk])
    bystander = other_mentor()

    client.force_login(mentor)
    asked = client.get("/journal/").content.decode()
    client.force_login(bystander)
    not_asked = client.get("/journal/").content.decode()

    assert 'data-testid="nav-article-reviews-count" aria-label="1 waiting"' in asked
    assert 'data-testid="nav-article-reviews"' in not_asked
    assert 'data-testid="nav-article-reviews-count"' not in not_asked


def test_a_mentor_makes_a_programme_review_its_learners_articles_from_the_programs_page(
    client, author, mentor
):
    program = author.cohort_memberships.get().cohort.program
    client.force_login(author)
    assert b'data-testid="program-review-setting"' not in client.get("/journal/programs/").content
    refused = client.post(
        f"/mentorship/reviews/programs/{program.slug}/setting/", {"required": "on"}
    )
    client.force_login(mentor)
    assert b'data-testid="program-review-setting"' in client.get("/journal/programs/").content

    saved = client.post(f"/mentorship/reviews/programs/{program.slug}/setting/", {"required": "on"})

    assert refused.status_code == 403
    assert saved.status_code == 302
    assert selectors.article_review_required(author=author) is True
    client.force_login(author)
    assert b'data-testid="program-review-required"' in client.get("/journal/programs/").content
