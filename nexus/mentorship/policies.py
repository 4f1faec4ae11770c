"""Who may do what in mentorship: the services raise on a refusal, the front doors show or hide."""

from typing import TypeGuard

from nexus.accounts.models import User, Viewer
from nexus.journal import policies as journal_policies
from nexus.journal.models import Cohort, MilestoneProgress


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
