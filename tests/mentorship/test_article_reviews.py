"""Article review before publishing: the state machine, the gate, comments that survive edits."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from nexus.core.events import OutboxEvent
from nexus.journal.models import Program
from nexus.knowledge import policies as knowledge_policies
from nexus.knowledge import selectors as knowledge_selectors
from nexus.knowledge import services as knowledge_services
from nexus.mentorship import selectors
from nexus.mentorship.models import ArticleReview, ReviewRequestStatus
from nexus.mentorship.services import articles as reviews
from tests.mentorship.article_review_fixtures import (
    a_rubric,
    cohort_with,
    draft_of,
    other_mentor,
)

pytestmark = pytest.mark.django_db

GOOD_SCORES = [{"criterion": "Accuracy", "score": 4}, {"criterion": "Clarity", "score": 3}]


@pytest.fixture
def author(owner, mentor):
    cohort_with(learner=owner, mentors=[mentor])
    return owner


def test_requesting_review_puts_the_draft_in_review_and_asks_the_authors_mentors(author, mentor):
    article = draft_of(author)

    request = reviews.review_request(actor=author, article=article)

    article.refresh_from_db()
    assert article.status == "in_review"
    assert list(request.reviewers.all()) == [mentor]
    assert request.revision_number == article.version == 2
    event = OutboxEvent.objects.get(name="review.requested")
    assert event.payload["recipient_ids"] == [mentor.pk]
    assert event.payload["url"] == f"/mentorship/reviews/articles/{request.pk}/"


def test_an_author_without_a_mentor_must_choose_a_reviewer(other_user):
    article = draft_of(other_user)

    with pytest.raises(ValidationError) as refused:
        reviews.review_request(actor=other_user, article=article)

    assert "reviewers" in refused.value.message_dict
    article.refresh_from_db()
    assert article.status == "draft"


def test_a_learner_cannot_be_chosen_as_reviewer_but_any_mentor_can(author, other_user):
    article = draft_of(author)
    with pytest.raises(ValidationError) as refused:
        reviews.review_request(actor=author, article=article, reviewer_ids=[other_user.pk])
    assert "reviewers" in refused.value.message_dict

    outsider = other_mentor()
    request = reviews.review_request(actor=author, article=article, reviewer_ids=[outsider.pk])
    assert list(request.reviewers.all()) == [outsider]


def test_only_the_author_requests_review_and_only_of_a_draft(author, mentor, other_user):
    article = draft_of(author)
    with pytest.raises(PermissionDenied):
        reviews.review_request(actor=other_user, article=article)
    with pytest.raises(PermissionDenied):
        reviews.review_request(actor=mentor, article=article)
    reviews.review_request(actor=author, article=article)
    article.refresh_from_db()
    with pytest.raises(ValidationError):
        reviews.review_request(actor=author, article=article)


def test_approval_publishes_the_article_and_tells_the_author(author, mentor):
    article = draft_of(author)
    request = reviews.review_request(actor=author, article=article)

    review = reviews.review_decide(actor=mentor, request=request, decision="approved")

    article.refresh_from_db()
    assert article.status == "published"
    assert article.published_at is not None
    request.refresh_from_db()
    assert request.status == ReviewRequestStatus.APPROVED
    assert review.revision_number == 2
    completed = OutboxEvent.objects.get(name="article.review_completed")
    assert completed.payload["recipient_ids"] == sorted([author.pk, mentor.pk])
    assert completed.payload["decision"] == "approved"
    assert OutboxEvent.objects.filter(name="article.published").exists()


def test_requesting_changes_needs_a_comment_and_returns_the_article_to_draft(author, mentor):
    article = draft_of(author)
    request = reviews.review_request(actor=author, article=article)
    with pytest.raises(ValidationError) as refused:
        reviews.review_decide(actor=mentor, request=request, decision="changes_requested")
    assert "comment" in refused.value.message_dict

    reviews.review_decide(
        actor=mentor, request=request, decision="changes_requested", comment="Cite a source."
    )

    article.refresh_from_db()
    assert article.status == "draft"
    assert reviews.review_request(actor=author, article=article).status == "open"


def test_a_round_is_decided_once_and_the_loser_gets_the_winners_review(author, mentor):
    second = other_mentor()
    article = draft_of(author)
    request = reviews.review_request(
        actor=author, article=article, reviewer_ids=[mentor.pk, second.pk]
    )
    won = reviews.review_decide(actor=mentor, request=request, decision="approved")

    with pytest.raises(reviews.ReviewAlreadyDecided) as lost:
        reviews.review_decide(actor=second, request=request, decision="approved")

    assert lost.value.review == won
    assert ArticleReview.objects.count() == 1


@pytest.mark.parametrize(
    "scores",
    [
        [{"criterion": "Accuracy", "score": 5}, {"criterion": "Clarity", "score": 3}],
        [{"criterion": "Accuracy", "score": 0}, {"criterion": "Clarity", "score": 3}],
        [{"criterion": "Accuracy", "score": 4}],
        [{"criterion": "Style", "score": 1}, *GOOD_SCORES],
        "not a list",
    ],
)
def test_scores_outside_the_rubric_are_field_errors_and_decide_nothing(author, mentor, scores):
    article = draft_of(author)
    request = reviews.review_request(actor=author, article=article, rubric=a_rubric(mentor))

    with pytest.raises(ValidationError) as refused:
        reviews.review_decide(actor=mentor, request=request, decision="approved", scores=scores)

    assert "scores" in refused.value.message_dict
    request.refresh_from_db()
    assert request.is_open
    assert not ArticleReview.objects.exists()


def test_scores_are_kept_in_the_rubrics_order_with_its_version(author, mentor):
    rubric = a_rubric(mentor)
    article = draft_of(author)
    request = reviews.review_request(actor=author, article=article, rubric=rubric)

    review = reviews.review_decide(
        actor=mentor,
        request=request,
        decision="approved",
        scores=[{"criterion": "clarity", "score": 2, "comment": "Dense"}, GOOD_SCORES[0]],
    )

    assert [(s.criterion, s.score) for s in review.scores.all()] == [
        ("Accuracy", 4),
        ("Clarity", 2),
    ]
    assert review.rubric_version == selectors.rubric_current_version(rubric=rubric)


def test_who_decides(author, mentor, other_user, admin_user):
    article = draft_of(author)
    request = reviews.review_request(actor=author, article=article)
    for refused in (author, other_user):
        with pytest.raises(PermissionDenied):
            reviews.review_decide(actor=refused, request=request, decision="approved")
    reviews.review_decide(actor=admin_user, request=request, decision="approved")


def test_withdrawing_returns_the_draft_and_closes_the_round(author, mentor, other_user):
    article = draft_of(author)
    request = reviews.review_request(actor=author, article=article)
    with pytest.raises(PermissionDenied):
        reviews.review_withdraw(actor=other_user, request=request)

    reviews.review_withdraw(actor=author, request=request)

    article.refresh_from_db()
    request.refresh_from_db()
    assert (article.status, request.status) == ("draft", "withdrawn")
    with pytest.raises(ValidationError):
        reviews.review_decide(actor=mentor, request=request, decision="approved")


def test_comments_are_bounds_checked_on_the_revision_they_name(author, mentor, other_user):
    article = draft_of(author)
    request = reviews.review_request(actor=author, article=article)
    for revision, line, field in ((2, 0, "line"), (2, 7, "line"), (9, 1, "revision")):
        with pytest.raises(ValidationError) as refused:
            reviews.review_comment_add(
                actor=mentor, request=request, revision_number=revision, line=line, body="x"
            )
        assert field in refused.value.message_dict
    with pytest.raises(ValidationError):
        reviews.review_comment_add(
            actor=mentor, request=request, revision_number=2, line=1, body="  "
        )
    with pytest.raises(PermissionDenied):
        reviews.review_comment_add(
            actor=other_user, request=request, revision_number=2, line=1, body="Hi"
        )


def test_a_comment_survives_edits_moving_with_its_line_or_shown_outdated(author, mentor):
    article = draft_of(author)
    request = reviews.review_request(actor=author, article=article)
    on_expire = reviews.review_comment_add(
        actor=mentor, request=request, revision_number=2, line=4, body="Which write?"
    )
    on_measure = reviews.review_comment_add(
        actor=mentor, request=request, revision_number=2, line=6, body="How?"
    )
    reviews.review_decide(
        actor=mentor, request=request, decision="changes_requested", comment="See lines."
    )
    article.refresh_from_db()
    edited = "# Caching\n\nIntro line.\n\nKeep hot data in memory.\nExpire it on write.\n\nProfile."
    knowledge_services.article_update(
        article=article, editor=author, expected_version=article.version, body=edited
    )

    lines = selectors.body_lines(edited)
    anchored = {
        a.comment.pk: a
        for a in selectors.anchor_comments(
            selectors.review_comments_of(article=article), lines=lines
        )
    }

    assert anchored[on_expire.pk].line == 6
    assert not anchored[on_expire.pk].outdated
    assert anchored[on_measure.pk].outdated
    assert anchored[on_measure.pk].comment.line_text == "Measure first."


def test_an_article_in_review_is_seen_by_its_author_reviewers_and_mentors_only(
    author, mentor, other_user, admin_user
):
    outsider_mentor = other_mentor()
    article = draft_of(author)
    reviews.review_request(actor=author, article=article)
    article.refresh_from_db()

    for viewer, sees in (
        (author, True),
        (mentor, True),
        (admin_user, True),
        (outsider_mentor, True),  # mentors see every draft, as before
        (other_user, False),
    ):
        assert knowledge_policies.can_view_article(viewer, article) is sees
    assert not knowledge_selectors.published_articles().filter(pk=article.pk).exists()
    assert not knowledge_selectors.article_list(user=other_user).filter(pk=article.pk).exists()


def test_a_chosen_learner_reviewer_would_see_it_only_while_asked(author, other_user):
    reviewer = other_mentor()
    article = draft_of(author)
    request = reviews.review_request(actor=author, article=article, reviewer_ids=[reviewer.pk])
    article.refresh_from_db()
    assert selectors.is_article_reviewer(user=reviewer, article=article)
    reviews.review_withdraw(actor=author, request=request)
    assert not selectors.is_article_reviewer(user=reviewer, article=article)


def test_the_publish_gate_refuses_direct_publishing_when_review_is_required(author, mentor):
    reviews.author_article_review_set(actor=mentor, author=author, required=True)
    article = draft_of(author)

    with pytest.raises(ValidationError) as refused:
        knowledge_services.article_update(
            article=article, editor=author, expected_version=1, status="published"
        )
    assert "request one" in refused.value.message_dict["status"][0]
    with pytest.raises(ValidationError) as refused_new:
        knowledge_services.article_create(author=author, title="Direct", status="published")
    assert "status" in refused_new.value.message_dict
    with pytest.raises(PermissionDenied):
        reviews.author_article_review_set(actor=author, author=author, required=False)

    request = reviews.review_request(actor=author, article=article)
    reviews.review_decide(actor=mentor, request=request, decision="approved")
    article.refresh_from_db()
    assert article.is_published


def test_a_programme_can_require_review_of_its_learners(author, mentor, other_user):
    program = Program.objects.get(slug="backend")
    with pytest.raises(PermissionDenied):
        reviews.program_article_review_set(actor=other_user, program=program, required=True)
    reviews.program_article_review_set(actor=mentor, program=program, required=True)

    assert selectors.article_review_required(author=author)
    assert not selectors.article_review_required(author=other_user)
    reviews.author_article_review_set(actor=mentor, author=author, required=False)
    assert not selectors.article_review_required(author=author)


def test_in_review_status_is_set_only_by_requesting_review(author, mentor):
    article = draft_of(author)
    with pytest.raises(ValidationError):
        knowledge_services.article_update(
            article=article, editor=author, expected_version=1, status="in_review"
        )
    reviews.review_request(actor=author, article=article)
    article.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        knowledge_services.article_update(
            article=article, editor=author, expected_version=article.version, status="published"
        )
    assert "withdraw" in refused.value.message_dict["status"][0]
    # The body may still be edited while in review.
    knowledge_services.article_update(
        article=article, editor=author, expected_version=article.version, body="New text"
    )


def test_the_author_or_a_reviewer_resolves_a_comment_others_may_not(author, mentor, other_user):
    article = draft_of(author)
    request = reviews.review_request(actor=author, article=article)
    comment = reviews.review_comment_add(
        actor=mentor, request=request, revision_number=2, line=1, body="Shorter?"
    )
    with pytest.raises(PermissionDenied):
        reviews.review_comment_resolve(actor=other_user, comment=comment)

    reviews.review_comment_resolve(actor=author, comment=comment)
    comment.refresh_from_db()
    assert comment.resolved
    reviews.review_comment_resolve(actor=mentor, comment=comment, resolved=False)
    comment.refresh_from_db()
    assert not comment.resolved
