"""Who may do what in the journal; used by REST, GraphQL and the web pages alike."""

from typing import Any

from nexus.journal.models import Cohort, Entry, MilestoneProgress, Program, Reflection, Visibility


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


def _is_moderator(user: Any) -> bool:
    return _signed_in(user) and bool(user.is_moderator)


def can_view_journal_item(user: Any, item: Entry | Reflection) -> bool:
    """Private: the author; mentors: the author, mentors and admins; public: everyone."""
    if item.visibility == Visibility.PUBLIC:
        return True
    if _signed_in(user) and item.author_id == user.pk:
        return True
    return item.visibility == Visibility.MENTORS and _is_moderator(user)


def can_write_journal(user: Any) -> bool:
    return _signed_in(user)


def can_edit_journal_item(user: Any, item: Entry | Reflection) -> bool:
    """Only the author edits a worklog; mentors and admins read, they do not rewrite."""
    return _signed_in(user) and item.author_id == user.pk


def can_edit_program(user: Any, program: Program | None = None) -> bool:
    return _is_moderator(user)


def can_view_progress(user: Any, progress: MilestoneProgress) -> bool:
    return _signed_in(user) and (progress.learner_id == user.pk or bool(user.is_moderator))


def can_update_progress(user: Any, progress: MilestoneProgress) -> bool:
    return _signed_in(user) and progress.learner_id == user.pk


def can_review_progress(user: Any, progress: MilestoneProgress) -> bool:
    """Mentors and admins review, never their own milestone."""
    return _is_moderator(user) and progress.learner_id != user.pk


def can_view_cohort_dashboard(user: Any, cohort: Cohort) -> bool:
    return _is_moderator(user)


def can_view_learner_dashboard(user: Any, learner: Any) -> bool:
    return _signed_in(user) and (learner.pk == user.pk or bool(user.is_moderator))


def can_view_program_analytics(user: Any) -> bool:
    return _signed_in(user) and bool(user.is_admin)
