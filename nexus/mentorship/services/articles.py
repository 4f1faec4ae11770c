"""Article review before publishing: request, comment on lines, decide once, withdraw.

The article itself changes only through knowledge's services (in review, back to draft,
published after approval); this module keeps the rounds, comments and decisions.
"""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from nexus.accounts.models import User
from nexus.core import clock, events
from nexus.core.errors import field_error
from nexus.core.markdown import render_markdown
from nexus.journal import selectors as journal_selectors
from nexus.journal.models import Program
from nexus.knowledge import services as knowledge_services
from nexus.knowledge.models import Article, ArticleRevision, ArticleStatus
from nexus.mentorship import policies, selectors
from nexus.mentorship.models import (
    ArticleReview,
    ArticleReviewRequest,
    ArticleReviewScore,
    AuthorArticleReview,
    Decision,
    ProgramArticleReview,
    ReviewComment,
    ReviewRequestStatus,
    Rubric,
)
from nexus.mentorship.services.rubrics import scores_clean

MAX_REVIEWERS = 5
COMMENT_MAX = 5000


class ReviewAlreadyDecided(Exception):
    """The round was decided by someone else first; `review` is the decision that won."""

    def __init__(self, review: ArticleReview) -> None:
        super().__init__(f"Review request {review.request_id} was already decided.")
        self.review = review


def review_url(request: ArticleReviewRequest) -> str:
    return reverse("mentorship:article-review", args=[request.pk])


def _reviewers(actor: User, author: User, reviewer_ids: Sequence[int] | None) -> list[User]:
    """The reviewers asked for, each allowed to review this author; default: their mentors."""
    if not reviewer_ids:
        mentors = list(journal_selectors.mentors_of(learner=author).exclude(pk=author.pk))
        if not mentors:
            raise field_error(
                "reviewers", "You have no mentor yet: choose who should review.", "required"
            )
        return mentors[:MAX_REVIEWERS]
    wanted = list(dict.fromkeys(reviewer_ids))
    if len(wanted) > MAX_REVIEWERS:
        raise field_error("reviewers", f"Choose at most {MAX_REVIEWERS} reviewers.")
    found = {user.pk: user for user in User.objects.filter(pk__in=wanted, is_active=True)}
    refused = [
        str(pk)
        for pk in wanted
        if pk not in found or not policies.may_review_articles_of(found[pk], author)
    ]
    if refused:
        raise field_error(
            "reviewers",
            f"Not a possible reviewer of this author: {', '.join(refused)}. "
            "Choose their mentors, or another mentor or admin.",
        )
    return [found[pk] for pk in wanted]


def _usable_rubric(rubric: Rubric | None) -> Rubric | None:
    if rubric is not None and rubric.archived_at is not None:
        raise field_error("rubric", "This rubric is archived; choose another.")
    return rubric


def review_request(
    *,
    actor: User,
    article: Article,
    reviewer_ids: Sequence[int] | None = None,
    rubric: Rubric | None = None,
) -> ArticleReviewRequest:
    """The author puts a draft in review and asks reviewers (their mentors unless chosen)."""
    if not policies.can_request_article_review(actor, article):
        raise PermissionDenied("Only the author may ask for a review of this article.")
    if article.status != ArticleStatus.DRAFT:
        raise field_error("article", "Only a draft can be put in review.", "not_a_draft")
    reviewers = _reviewers(actor, article.author, reviewer_ids)
    rubric = _usable_rubric(rubric)
    with transaction.atomic():
        article = knowledge_services.article_submit_for_review(article=article, actor=actor)
        request = ArticleReviewRequest.objects.create(
            article=article, requested_by=actor, rubric=rubric, revision_number=article.version
        )
        request.reviewers.set(reviewers)
        events.publish(
            "review.requested",
            subject=request,
            actor=actor,
            payload={
                "recipient_ids": [user.pk for user in reviewers],
                "title": f"Review requested: {article.title}",
                "url": review_url(request),
                "article_id": article.pk,
                "slug": article.slug,
            },
        )
    return request


def review_comment_add(
    *,
    actor: User,
    request: ArticleReviewRequest,
    revision_number: int,
    line: int,
    body: str,
) -> ReviewComment:
    """A comment on one line of a revision of the article under review."""
    if not policies.can_view_article_review(actor, request):
        raise PermissionDenied("Only the author and the reviewers comment on this review.")
    if not policies.can_comment_on_article_review(actor, request):
        raise field_error("request", "This review is closed.", "closed")
    body = body.strip()
    if not body or len(body) > COMMENT_MAX:
        raise field_error("body", f"Write a comment of 1 to {COMMENT_MAX} characters.", "required")
    revision = ArticleRevision.objects.filter(
        article_id=request.article_id, number=revision_number
    ).first()
    if revision is None:
        raise field_error("revision", f"Revision {revision_number} does not exist.", "not_found")
    lines = selectors.body_lines(revision.body)
    if isinstance(line, bool) or not 1 <= line <= len(lines):
        raise field_error(
            "line", f"Revision {revision_number} has lines 1 to {len(lines)}.", "out_of_range"
        )
    return ReviewComment.objects.create(
        request=request,
        revision=revision,
        line=line,
        line_text=lines[line - 1],
        body=body,
        body_html=render_markdown(body).html,
        author=actor,
    )


def review_comment_resolve(
    *, actor: User, comment: ReviewComment, resolved: bool = True
) -> ReviewComment:
    """Mark a comment dealt with (or not): the author or a reviewer of its round."""
    if not policies.can_view_article_review(actor, comment.request):
        raise PermissionDenied("Only the author and the reviewers resolve comments.")
    comment.resolved = resolved
    comment.save(update_fields=["resolved", "updated_at"])
    return comment


def _clean_decision(
    request: ArticleReviewRequest, decision: str, comment: str, scores: Sequence[object]
) -> list[dict[str, object]]:
    if decision not in Decision.values:
        raise field_error("decision", f"Choose one of: {', '.join(Decision.values)}.")
    if decision == Decision.CHANGES_REQUESTED and not comment.strip():
        raise field_error("comment", "Say what should change.", "required")
    if len(comment) > 20_000:
        raise field_error("comment", "Keep the comment within 20,000 characters.")
    if request.rubric is None:
        if scores:
            raise field_error("scores", "This review has no rubric to score.")
        return []
    version = selectors.rubric_current_version(rubric=request.rubric)
    return [dict(row) for row in scores_clean(version=version, scores=list(scores))]


def _winner(request_id: int) -> ArticleReview:
    return ArticleReview.objects.select_related("reviewer").get(request_id=request_id)


def review_decide(
    *,
    actor: User,
    request: ArticleReviewRequest,
    decision: str,
    comment: str = "",
    scores: Sequence[object] = (),
) -> ArticleReview:
    """Decide an open round once: approve (the article is published) or request changes (back
    to draft). A round someone else decided first raises ReviewAlreadyDecided with theirs."""
    if not policies.can_decide_article_review(actor, request):
        raise PermissionDenied("Only a reviewer asked for this article decides its review.")
    clean_scores = _clean_decision(request, decision, comment, scores)
    try:
        with transaction.atomic():
            return _decide(actor, request, decision, comment.strip(), clean_scores)
    except IntegrityError:
        # Both passed the status check before either committed: the constraint picked one.
        raise ReviewAlreadyDecided(_winner(request.pk)) from None


def _decide(
    actor: User,
    request: ArticleReviewRequest,
    decision: str,
    comment: str,
    scores: list[dict[str, object]],
) -> ArticleReview:
    locked = ArticleReviewRequest.objects.select_for_update().get(pk=request.pk)
    if not locked.is_open:
        if ArticleReview.objects.filter(request_id=locked.pk).exists():
            raise ReviewAlreadyDecided(_winner(locked.pk))
        raise field_error("request", "This review request was withdrawn.", "closed")
    article = Article.objects.get(pk=locked.article_id)
    review = ArticleReview.objects.create(
        request=locked,
        reviewer=actor,
        rubric_version=(
            selectors.rubric_current_version(rubric=request.rubric) if request.rubric else None
        ),
        decision=decision,
        comment=comment,
        comment_html=render_markdown(comment).html if comment else "",
        revision_number=article.version,
    )
    ArticleReviewScore.objects.bulk_create(
        [ArticleReviewScore(review=review, **row) for row in scores]
    )
    locked.status = (
        ReviewRequestStatus.APPROVED
        if decision == Decision.APPROVED
        else ReviewRequestStatus.CHANGES_REQUESTED
    )
    locked.closed_at = clock.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    if decision == Decision.APPROVED:
        knowledge_services.article_publish_reviewed(article=article, actor=actor)
    else:
        knowledge_services.article_return_to_draft(
            article=article, actor=actor, message="Changes requested in review"
        )
    _announce_completed(locked, review, article, actor)
    return review


def _announce_completed(
    request: ArticleReviewRequest, review: ArticleReview, article: Article, actor: User
) -> None:
    reviewer_ids = list(request.reviewers.values_list("pk", flat=True))
    verdict = "approved" if review.decision == Decision.APPROVED else "changes requested"
    events.publish(
        "article.review_completed",
        subject=request,
        actor=actor,
        payload={
            "recipient_ids": sorted({article.author_id, *reviewer_ids}),
            "title": f"Review {verdict}: {article.title}",
            "url": review_url(request),
            "article_id": article.pk,
            "slug": article.slug,
            "decision": review.decision,
        },
    )


@transaction.atomic
def review_withdraw(*, actor: User, request: ArticleReviewRequest) -> ArticleReviewRequest:
    """The author takes the article back to draft; the round is kept, marked withdrawn."""
    if not policies.can_withdraw_article_review(actor, request):
        raise PermissionDenied("Only the author may withdraw this review request.")
    locked = ArticleReviewRequest.objects.select_for_update().get(pk=request.pk)
    if not locked.is_open:
        raise field_error("request", "This review is already closed.", "closed")
    locked.status = ReviewRequestStatus.WITHDRAWN
    locked.closed_at = clock.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    knowledge_services.article_return_to_draft(
        article=Article.objects.get(pk=locked.article_id), actor=actor, message="Review withdrawn"
    )
    return locked


@transaction.atomic
def author_article_review_set(*, actor: User, author: User, required: bool) -> AuthorArticleReview:
    """Require (or stop requiring) reviews of an author's articles. A mentor's requirement is
    lifted by a mentor or an admin, not by the author alone."""
    if not policies.can_require_article_review(actor, author):
        raise PermissionDenied("Only the author, their mentor or an admin sets this.")
    setting, _created = AuthorArticleReview.objects.select_for_update().get_or_create(
        author=author, defaults={"required": required, "set_by": actor}
    )
    set_by_other = setting.set_by_id not in (None, author.pk)
    if not required and actor.pk == author.pk and set_by_other and setting.required:
        raise PermissionDenied("Your mentor asked for reviews; ask them to lift it.")
    setting.required = required
    setting.set_by = actor
    setting.save(update_fields=["required", "set_by", "updated_at"])
    return setting


@transaction.atomic
def program_article_review_set(
    *, actor: User, program: Program, required: bool
) -> ProgramArticleReview:
    """Require (or not) reviews before publishing for every learner of a programme."""
    if not policies.can_set_program_article_review(actor):
        raise PermissionDenied("Only mentors and admins set this for a programme.")
    setting, _created = ProgramArticleReview.objects.update_or_create(
        program=program, defaults={"required": required, "set_by": actor}
    )
    return setting
