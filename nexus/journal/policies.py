"""Who may do what in the journal: the services raise on a refusal, the front doors show or hide."""

from typing import TypeGuard

from nexus.accounts.models import User, Viewer
from nexus.journal import selectors
from nexus.journal.models import Cohort, Entry, MilestoneProgress, Program, Reflection, Visibility


def _is_moderator(user: Viewer) -> TypeGuard[User]:
    return isinstance(user, User) and user.is_moderator


def can_view_journal_item(user: Viewer, item: Entry | Reflection) -> bool:
    """Private: the author; mentors: the author, mentors and admins; public: everyone."""
    if item.visibility == Visibility.PUBLIC:
        return True
    if isinstance(user, User) and item.author_id == user.pk:
        return True
    return item.visibility == Visibility.MENTORS and _is_moderator(user)


def can_write_journal(user: Viewer) -> bool:
    return isinstance(user, User)


def can_edit_journal_item(user: Viewer, item: Entry | Reflection) -> bool:
    """Only the author edits a worklog; mentors and admins read, they do not rewrite."""
    return isinstance(user, User) and item.author_id == user.pk


def can_edit_program(user: Viewer, program: Program | None = None) -> bool:
    return _is_moderator(user)


def can_create_cohort(user: Viewer, program: Program | None = None) -> bool:
    """Mentors and admins start cohorts, as they shape the programs cohorts follow."""
    return _is_moderator(user)


def _mentors_cohort(user: User, cohort: Cohort) -> bool:
    return cohort.mentors.filter(pk=user.pk).exists()


def can_manage_cohort(user: Viewer, cohort: Cohort) -> bool:
    """Once a cohort exists, only its own mentors and admins rename it, archive it, invite,
    and say who is in it and who mentors whom."""
    if not isinstance(user, User):
        return False
    return user.is_admin or (user.is_moderator and _mentors_cohort(user, cohort))


def can_view_cohort(user: Viewer, cohort: Cohort) -> bool:
    """Mentors and admins see every cohort (to pick one); a learner sees the one they are in."""
    if not isinstance(user, User):
        return False
    if user.is_moderator:
        return True
    return cohort.memberships.filter(learner=user, left_at__isnull=True).exists()


def can_view_cohort_people(user: Viewer, cohort: Cohort) -> bool:
    """Who is in a cohort, who mentors whom and its invitations: its mentors and admins."""
    return can_manage_cohort(user, cohort)


def can_join_cohort(user: Viewer, cohort: Cohort) -> bool:
    """Anyone signed in may join through a valid invitation; archived cohorts take nobody."""
    return isinstance(user, User) and not cohort.is_archived


def can_view_progress(user: Viewer, progress: MilestoneProgress) -> bool:
    return isinstance(user, User) and (progress.learner_id == user.pk or user.is_moderator)


def can_update_progress(user: Viewer, progress: MilestoneProgress) -> bool:
    return isinstance(user, User) and progress.learner_id == user.pk


def can_review_progress(user: Viewer, progress: MilestoneProgress) -> bool:
    """Mentors and admins review, never their own milestone."""
    return _is_moderator(user) and progress.learner_id != user.pk


def is_mentor_of(user: Viewer, learner: User) -> bool:
    """Whether the user mentors the learner now (admins count as everyone's mentor)."""
    if not isinstance(user, User) or user.pk == learner.pk:
        return False
    return user.is_admin or selectors.mentors_of(learner=learner).filter(pk=user.pk).exists()


def can_view_cohort_dashboard(user: Viewer, cohort: Cohort) -> bool:
    """A cohort's scores are for its mentors and admins."""
    return can_manage_cohort(user, cohort)


def can_view_learner_dashboard(user: Viewer, learner: User) -> bool:
    return isinstance(user, User) and (learner.pk == user.pk or user.is_moderator)


def can_view_program_analytics(user: Viewer) -> bool:
    return isinstance(user, User) and user.is_admin
