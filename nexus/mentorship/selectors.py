"""Reads of mentorship."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from nexus.accounts.models import Role, User, Viewer
from nexus.journal import selectors as journal_selectors
from nexus.journal.models import Milestone, MilestoneProgress, Program
from nexus.knowledge.models import Article
from nexus.mentorship.models import (
    ArticleReview,
    ArticleReviewRequest,
    AuthorArticleReview,
    MilestoneReview,
    MilestoneRubric,
    MilestoneScore,
    MilestoneSubmission,
    ProgramArticleReview,
    ReviewComment,
    ReviewRequestStatus,
    Rubric,
    RubricVersion,
)

# How far (in lines) a comment's line may have moved and still be found by its text.
REANCHOR_DISTANCE = 20


def rubric_list(*, include_archived: bool = False) -> QuerySet[Rubric]:
    """Rubrics by name, each annotated with its latest version number (`current_number`)."""
    latest = RubricVersion.objects.filter(rubric=OuterRef("pk")).order_by("-number")
    rubrics = Rubric.objects.annotate(current_number=Subquery(latest.values("number")[:1]))
    if not include_archived:
        rubrics = rubrics.filter(archived_at__isnull=True)
    return rubrics.order_by("name", "id")


def rubric_list_with_versions(*, include_archived: bool = False) -> QuerySet[Rubric]:
    """rubric_list with every version loaded, newest first (the current one is the first)."""
    return rubric_list(include_archived=include_archived).prefetch_related(
        Prefetch("versions", queryset=RubricVersion.objects.order_by("-number"))
    )


def rubric_get(*, rubric_id: int) -> Rubric | None:
    return rubric_list(include_archived=True).filter(pk=rubric_id).first()


def rubric_current_version(*, rubric: Rubric) -> RubricVersion:
    """The version new reviews are scored against."""
    return rubric.versions.order_by("-number").first() or _missing(rubric)


def _missing(rubric: Rubric) -> RubricVersion:
    raise RubricVersion.DoesNotExist(f"Rubric {rubric.pk} has no version.")


def rubric_versions_by_id(version_ids: set[int]) -> dict[int, RubricVersion]:
    return {
        v.pk: v for v in RubricVersion.objects.select_related("rubric").filter(pk__in=version_ids)
    }


def milestone_rubric_version(*, milestone: Milestone) -> RubricVersion | None:
    """The current version of the rubric attached to a milestone, if one is."""
    link = MilestoneRubric.objects.filter(milestone=milestone).select_related("rubric").first()
    return rubric_current_version(rubric=link.rubric) if link else None


def latest_submission(*, progress: MilestoneProgress) -> MilestoneSubmission | None:
    return (
        MilestoneSubmission.objects.filter(progress=progress)
        .select_related("review")
        .order_by("-round")
        .first()
    )


def is_reviewed(submission: MilestoneSubmission) -> bool:
    return MilestoneReview.objects.filter(submission=submission).exists()


def _rounds() -> QuerySet[MilestoneSubmission]:
    return (
        MilestoneSubmission.objects.select_related(
            "review__reviewer", "review__rubric_version__rubric"
        )
        .prefetch_related(
            Prefetch("review__scores", queryset=MilestoneScore.objects.order_by("position"))
        )
        .order_by("round")
    )


def milestone_thread(*, progress: MilestoneProgress) -> QuerySet[MilestoneSubmission]:
    """Every round of a milestone, oldest first, each with its review, reviewer, rubric version
    and scores: two queries whatever the length of the thread."""
    return _rounds().filter(progress=progress)


def thread_prefetch() -> "Prefetch[Any]":
    """For a list of milestone progress: each one's rounds as `thread` (two queries in all)."""
    return Prefetch("submissions", queryset=_rounds(), to_attr="thread")


def review_get(*, review_id: int) -> MilestoneReview:
    return (
        MilestoneReview.objects.select_related("submission", "reviewer", "rubric_version__rubric")
        .prefetch_related("scores")
        .get(pk=review_id)
    )


def article_review_required(*, author: User) -> bool:
    """Whether the author's articles need an approved review: their own setting, else their
    programme's (through the cohort they follow). One query: publishing asks it every time."""
    own = AuthorArticleReview.objects.filter(author=author).values("required")[:1]
    by_program = ProgramArticleReview.objects.filter(
        required=True,
        program__cohorts__memberships__learner=author,
        program__cohorts__memberships__left_at__isnull=True,
    )
    answer = (
        User.objects.filter(pk=author.pk)
        .annotate(own=Subquery(own), by_program=Exists(by_program))
        .values_list("own", "by_program")
        .first()
    )
    if answer is None:
        return False
    own_setting, program_requires = answer
    return bool(program_requires) if own_setting is None else bool(own_setting)


def author_review_setting(*, author: User) -> AuthorArticleReview | None:
    """The author's own setting (theirs or their mentor's), if one was ever made."""
    return AuthorArticleReview.objects.filter(author=author).first()


def program_ids_requiring_article_review() -> set[int]:
    """The programmes whose learners' articles need a review before publishing."""
    return set(
        ProgramArticleReview.objects.filter(required=True).values_list("program_id", flat=True)
    )


def program_article_review_required(*, program: Program) -> bool:
    return ProgramArticleReview.objects.filter(program=program, required=True).exists()


def is_article_reviewer(*, user: User, article: Article) -> bool:
    """Whether the user is asked to review the article in an open round."""
    return ArticleReviewRequest.objects.filter(
        article=article, status=ReviewRequestStatus.OPEN, reviewers=user
    ).exists()


def _requests() -> QuerySet[ArticleReviewRequest]:
    return ArticleReviewRequest.objects.select_related(
        "article__author", "requested_by", "rubric"
    ).prefetch_related(
        "reviewers",
        Prefetch(
            "reviews",
            queryset=ArticleReview.objects.select_related(
                "reviewer", "rubric_version"
            ).prefetch_related("scores"),
        ),
    )


def review_requests_of(*, article: Article) -> QuerySet[ArticleReviewRequest]:
    """Every round of review of an article, newest first, with reviewers and decisions."""
    return _requests().filter(article=article).order_by("-created_at", "-id")


def review_request_get(*, request_id: int) -> ArticleReviewRequest | None:
    return _requests().filter(pk=request_id).first()


def review_request_open(*, article: Article) -> ArticleReviewRequest | None:
    return _requests().filter(article=article, status=ReviewRequestStatus.OPEN).first()


def review_queue(*, reviewer: Viewer) -> QuerySet[ArticleReviewRequest]:
    """Open rounds waiting for this reviewer, oldest first."""
    if not isinstance(reviewer, User):
        return ArticleReviewRequest.objects.none()
    return (
        _requests()
        .filter(status=ReviewRequestStatus.OPEN, reviewers=reviewer)
        .order_by("created_at", "id")
    )


def review_requests_visible(*, viewer: Viewer, article: Article) -> QuerySet[ArticleReviewRequest]:
    """The rounds of an article the viewer may see (policies.can_view_article_review)."""
    rounds = review_requests_of(article=article)
    if not isinstance(viewer, User):
        return rounds.none()
    if viewer.is_moderator or viewer.pk == article.author_id:
        return rounds
    return rounds.filter(Q(reviewers=viewer)).distinct()


def review_comments_of(*, article: Article) -> QuerySet[ReviewComment]:
    """Every review comment on the article, whichever round and revision it was made on."""
    return (
        ReviewComment.objects.filter(request__article=article)
        .select_related("author", "revision")
        .order_by("line", "created_at", "id")
    )


@dataclass(frozen=True)
class AnchoredComment:
    """A comment placed on today's text: `line` where its line is now (None when it changed),
    `outdated` when its line no longer reads as it did."""

    comment: ReviewComment
    line: int | None

    @property
    def outdated(self) -> bool:
        return self.line is None


def body_lines(body: str) -> list[str]:
    """The lines reviewers number and comment on."""
    return body.split("\n")


def anchor_comments(
    comments: Iterable[ReviewComment], *, lines: Sequence[str]
) -> list[AnchoredComment]:
    """Each comment on the current lines: the same line if it reads the same, else the nearest
    line within REANCHOR_DISTANCE that does (text moved by an edit above), else outdated."""
    return [AnchoredComment(c, _anchor(c.line, c.line_text, lines)) for c in comments]


def _anchor(line: int, text: str, lines: Sequence[str]) -> int | None:
    for distance in range(REANCHOR_DISTANCE + 1):
        for candidate in (line - distance, line + distance):
            if 1 <= candidate <= len(lines) and lines[candidate - 1] == text:
                return candidate
    return None


def reviewer_candidates(*, author: User, limit: int = 200) -> QuerySet[User]:
    """Who an author may ask to review: their mentors, then every other mentor and admin."""
    mentor_ids = journal_selectors.mentors_of(learner=author).values("pk")
    return (
        User.objects.filter(
            Q(pk__in=mentor_ids) | Q(role__in=[Role.MENTOR, Role.ADMIN]) | Q(is_superuser=True),
            is_active=True,
        )
        .exclude(pk=author.pk)
        .order_by("display_name", "id")[:limit]
    )
