"""Who may do what in mentorship: the services raise on a refusal, the front doors show or hide."""

from typing import TypeGuard

from nexus.accounts.models import User, Viewer
from nexus.journal import policies as journal_policies
from nexus.journal.models import Cohort, MilestoneProgress
from nexus.knowledge.models import Article
from nexus.mentorship.models import ArticleReviewRequest


def _is_moderator(user: Viewer) -> TypeGuard[User]:
    return isinstance(user, User) and user.is_moderator


def can_view_rubrics(user: Viewer) -> bool:
    """Signed-in people read rubrics: learners should know what they will be scored on."""
    return isinstance(user, User)


def can_edit_rubric(user: Viewer) -> bool:
    """Mentors and admins write rubrics, as they are the ones who score with them."""
    return _is_moderator(user)


def can_set_milestone_rubric(user: Viewer) -> bool:
    """Mentors and admins choose what a programme's milestones are scored with."""
    return _is_moderator(user)


def can_submit_milestone(user: Viewer, progress: MilestoneProgress) -> bool:
    """Only the learner submits their own milestone."""
    return isinstance(user, User) and progress.learner_id == user.pk


def can_review_milestone(user: Viewer, progress: MilestoneProgress) -> bool:
    """The learner's own mentors and admins review a milestone, never its learner."""
    return journal_policies.is_mentor_of(user, progress.learner)


def can_view_milestone_thread(user: Viewer, progress: MilestoneProgress) -> bool:
    """The learner sees their own reviews; their mentors and admins see everyone they mentor."""
    if not isinstance(user, User):
        return False
    return progress.learner_id == user.pk or journal_policies.is_mentor_of(user, progress.learner)


def can_view_cohort_scores(user: Viewer, cohort: Cohort) -> bool:
    """A cohort's scores are for its mentors and admins."""
    if not isinstance(user, User):
        return False
    return user.is_admin or cohort.mentors.filter(pk=user.pk).exists()


def may_review_articles_of(user: Viewer, author: User) -> bool:
    """A reviewer for an author: one of their mentors, or any mentor or admin; never themselves."""
    if not isinstance(user, User) or not user.is_active or user.pk == author.pk:
        return False
    return user.is_moderator or journal_policies.is_mentor_of(user, author)


def can_request_article_review(user: Viewer, article: Article) -> bool:
    """The author asks for a review of their own draft."""
    return isinstance(user, User) and user.pk == article.author_id


def is_request_reviewer(user: Viewer, request: ArticleReviewRequest) -> bool:
    return isinstance(user, User) and any(r.pk == user.pk for r in request.reviewers.all())


def can_view_article_review(user: Viewer, request: ArticleReviewRequest) -> bool:
    """The author, the reviewers asked, and mentors and admins."""
    if not isinstance(user, User):
        return False
    return (
        user.pk == request.article.author_id
        or user.is_moderator
        or is_request_reviewer(user, request)
    )


def can_comment_on_article_review(user: Viewer, request: ArticleReviewRequest) -> bool:
    """While the round is open: its reviewers, mentors and admins, and the author answering."""
    return request.is_open and can_view_article_review(user, request)


def can_decide_article_review(user: Viewer, request: ArticleReviewRequest) -> bool:
    """A reviewer asked (or a mentor or admin), never the author, decides an open round."""
    if not isinstance(user, User) or user.pk == request.article.author_id:
        return False
    return user.is_moderator or is_request_reviewer(user, request)


def can_withdraw_article_review(user: Viewer, request: ArticleReviewRequest) -> bool:
    return isinstance(user, User) and (user.pk == request.article.author_id or user.is_moderator)


def can_require_article_review(user: Viewer, author: User) -> bool:
    """The author opts in for themselves; their mentor (or an admin) decides for them."""
    if not isinstance(user, User):
        return False
    return user.pk == author.pk or user.is_admin or journal_policies.is_mentor_of(user, author)


def can_set_program_article_review(user: Viewer) -> bool:
    """Mentors and admins run programmes."""
    return _is_moderator(user)
