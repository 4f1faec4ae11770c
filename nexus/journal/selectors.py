"""Reads of the journal: every entry or reflection query is scoped to what the viewer may see."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum

from nexus.accounts.models import User, Viewer
from nexus.journal.models import (
    Cohort,
    CohortInvitation,
    CohortMembership,
    Entry,
    Milestone,
    MilestoneProgress,
    MilestoneStatus,
    Program,
    ProgramMonth,
    Reflection,
    Visibility,
)
from nexus.knowledge import selectors as knowledge_selectors
from nexus.knowledge.models import Article, ArticleStatus


def visible_to(user: Viewer) -> Q:
    """Rows with a visibility and an author that the user may see."""
    visible = Q(visibility=Visibility.PUBLIC)
    if isinstance(user, User):
        visible |= Q(author_id=user.pk)
        if user.is_moderator:
            visible |= Q(visibility=Visibility.MENTORS)
    return visible


def entry_list(*, viewer: Viewer) -> QuerySet[Entry]:
    """Entries the viewer may see, newest first, with author and topics loaded."""
    return (
        Entry.objects.filter(visible_to(viewer))
        .select_related("author")
        .prefetch_related("topics", "articles")
        .order_by("-date", "-id")
    )


def entry_get(*, viewer: Viewer, entry_id: int) -> Entry | None:
    """One entry if the viewer may see it."""
    return entry_list(viewer=viewer).filter(pk=entry_id).first()


def entries_in_month(*, viewer: Viewer, author: User, month: date) -> QuerySet[Entry]:
    """An author's entries in one month that the viewer may see."""
    start, end = month_bounds(month)
    return entry_list(viewer=viewer).filter(author=author, date__gte=start, date__lt=end)


def minutes_on(*, author: User, day: date, exclude_id: int | None = None) -> int:
    """Minutes an author has logged on one day (optionally without one entry)."""
    queryset = Entry.objects.filter(author=author, date=day)
    if exclude_id is not None:
        queryset = queryset.exclude(pk=exclude_id)
    return int(queryset.aggregate(total=Sum("minutes_spent"))["total"] or 0)


def minutes_by_day(*, author: User, days: Iterable[date]) -> dict[date, int]:
    """Minutes an author has logged on each of some days (days without entries left out)."""
    rows = (
        Entry.objects.filter(author=author, date__in=list(days))
        .values("date")
        .annotate(total=Sum("minutes_spent"))
        .order_by()
    )
    return {row["date"]: int(row["total"] or 0) for row in rows}


def reflection_list(*, viewer: Viewer) -> QuerySet[Reflection]:
    """Reflections the viewer may see, newest month first."""
    return (
        Reflection.objects.filter(visible_to(viewer))
        .select_related("author")
        .order_by("-month", "-id")
    )


def reflection_for(*, viewer: Viewer, author: User, month: date) -> Reflection | None:
    return reflection_list(viewer=viewer).filter(author=author, month=month).first()


def month_bounds(month: date) -> tuple[date, date]:
    """The first day of the month and the first day of the next."""
    start = month.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end


def program_list() -> QuerySet[Program]:
    """Programs with months, their topics, articles and milestones: three queries in all."""
    months = ProgramMonth.objects.order_by("number").prefetch_related(
        "topics",
        "articles",
        Prefetch("milestones", queryset=Milestone.objects.order_by("number")),
    )
    return Program.objects.prefetch_related(Prefetch("months", queryset=months)).order_by(
        "-is_default", "title", "id"
    )


def program_get(*, slug: str) -> Program | None:
    return program_list().filter(slug=slug).first()


def default_program() -> Program | None:
    return Program.objects.filter(is_default=True).first()


def milestone_list() -> QuerySet[Milestone]:
    return Milestone.objects.select_related("program", "month").order_by("program", "number")


def current_memberships() -> QuerySet[CohortMembership]:
    """Memberships that last now (a learner has at most one)."""
    return CohortMembership.objects.filter(left_at__isnull=True)


def membership_of(*, learner: User) -> CohortMembership | None:
    """The learner's current membership, with its cohort and program."""
    return current_memberships().select_related("cohort__program").filter(learner=learner).first()


def cohort_of(*, learner: User) -> Cohort | None:
    """The cohort a learner follows now, if any."""
    membership = membership_of(learner=learner)
    return membership.cohort if membership else None


def membership_history(*, learner: User) -> QuerySet[CohortMembership]:
    """Every cohort a learner has been in, latest first."""
    return (
        CohortMembership.objects.filter(learner=learner)
        .select_related("cohort")
        .order_by("-joined_at", "-id")
    )


def cohort_list(*, include_archived: bool = True) -> QuerySet[Cohort]:
    """Cohorts, newest first; pickers leave out the archived ones."""
    queryset = Cohort.objects.select_related("program").order_by("-start_date", "name", "id")
    return queryset if include_archived else queryset.filter(archived_at__isnull=True)


def cohorts_visible_to(*, viewer: Viewer, archived: bool | None = None) -> QuerySet[Cohort]:
    """Cohorts a viewer may open: all for mentors and admins, their own for a learner.

    `archived` None means both; True or False keeps only archived or only live cohorts.
    """
    queryset = cohort_list().prefetch_related("mentors")
    if archived is not None:
        queryset = queryset.filter(archived_at__isnull=not archived)
    if not isinstance(viewer, User):
        return queryset.none()
    if viewer.is_moderator:
        return queryset
    return queryset.filter(
        Q(mentors=viewer) | Q(pk__in=current_memberships().filter(learner=viewer).values("cohort"))
    ).distinct()


def cohort_learner_ids(*, cohort: Cohort) -> QuerySet[Any]:
    """The learners in a cohort now."""
    return current_memberships().filter(cohort=cohort).values("learner_id")


def cohort_members(*, cohort: Cohort) -> QuerySet[CohortMembership]:
    """A cohort's current memberships with the learner and their assigned mentors loaded."""
    return (
        current_memberships()
        .filter(cohort=cohort)
        .select_related("learner")
        .prefetch_related(Prefetch("mentors", queryset=User.objects.order_by("display_name")))
        .order_by("learner__display_name", "id")
    )


def cohort_invitations(*, cohort: Cohort) -> QuerySet[CohortInvitation]:
    """A cohort's invitations, newest first, with who made them."""
    return (
        CohortInvitation.objects.filter(cohort=cohort)
        .select_related("created_by", "cohort")
        .order_by("-created_at", "-id")
    )


def invitation_get(*, invitation_id: int) -> CohortInvitation | None:
    return (
        CohortInvitation.objects.select_related("cohort__program", "created_by")
        .filter(pk=invitation_id)
        .first()
    )


def invitation_by_key(*, key: str) -> CohortInvitation | None:
    return CohortInvitation.objects.select_related("cohort__program").filter(key=key).first()


def people_search(
    *, query: str, exclude_cohort: Cohort | None = None, limit: int = 10
) -> list[User]:
    """Active people whose name or e-mail contains the query, to add to a cohort (no ids)."""
    query = query.strip()
    if len(query) < 2:
        return []
    queryset = User.objects.filter(is_active=True).filter(
        Q(display_name__icontains=query) | Q(email__icontains=query)
    )
    if exclude_cohort is not None:
        queryset = queryset.exclude(pk__in=cohort_learner_ids(cohort=exclude_cohort))
    return list(queryset.order_by("display_name", "id")[:limit])


def _has_assigned_mentors() -> Exists:
    return Exists(
        CohortMembership.mentors.through.objects.filter(cohortmembership_id=OuterRef("pk"))
    )


def mentors_of(*, learner: User) -> QuerySet[User]:
    """The people who mentor a learner now: those assigned to them in their current membership,
    or, when nobody is assigned, the mentors of their cohort."""
    current = current_memberships().filter(learner=learner)
    assigned = current.filter(_has_assigned_mentors())
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(mentored_memberships__in=assigned)
            | Q(mentored_cohorts__memberships__in=current.exclude(_has_assigned_mentors()))
        )
        .distinct()
    )


def mentored_learner_ids(*, mentor: User) -> QuerySet[Any]:
    """The learners a mentor looks after now: those assigned to them, and everyone without an
    assigned mentor in the cohorts they mentor."""
    return (
        current_memberships()
        .annotate(assigned=_has_assigned_mentors())
        .filter(Q(mentors=mentor) | Q(assigned=False, cohort__mentors=mentor))
        .values("learner_id")
        .distinct()
    )


def progress_list(*, viewer: Viewer) -> QuerySet[MilestoneProgress]:
    """Milestone progress the viewer may see: their own, or everyone's for mentors and admins."""
    queryset = MilestoneProgress.objects.select_related(
        "learner", "reviewer", "milestone__month", "milestone__program"
    ).order_by("learner_id", "milestone__number", "id")
    if not isinstance(viewer, User):
        return queryset.none()
    if viewer.is_moderator:
        return queryset
    return queryset.filter(learner=viewer)


def review_queue(*, mentor: User) -> QuerySet[MilestoneProgress]:
    """Submitted milestones waiting for this mentor: their own learners' (admins: everyone's)."""
    waiting = progress_list(viewer=mentor).filter(status=MilestoneStatus.SUBMITTED)
    if not mentor.is_admin:
        waiting = waiting.filter(learner_id__in=mentored_learner_ids(mentor=mentor))
    return waiting.exclude(learner=mentor)


def progress_get(*, viewer: Viewer, progress_id: int) -> MilestoneProgress | None:
    return progress_list(viewer=viewer).filter(pk=progress_id).first()


def next_milestone(*, learner: User) -> MilestoneProgress | None:
    """The learner's first milestone, in the program's order, that a mentor has not marked done."""
    own = progress_list(viewer=learner).filter(learner=learner)
    return own.exclude(status=MilestoneStatus.DONE).first()


# --- Knowledge, through its selectors ------------------------------------------------------


def articles_by_slug(slugs: Iterable[str], *, user: Viewer) -> QuerySet[Article]:
    """Live (not archived) articles with the given slugs that the user may see."""
    return (
        knowledge_selectors.article_list(user=user)
        .filter(slug__in=list(slugs))
        .exclude(status=ArticleStatus.ARCHIVED)
    )
