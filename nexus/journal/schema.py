"""GraphQL types, queries and mutations of the journal; the same selectors and policies as REST."""

import datetime
from typing import Any, cast

import strawberry
import strawberry_django
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from strawberry.types import Info
from strawberry_django.pagination import OffsetPaginated
from strawberry_django.permissions import IsAuthenticated

from nexus.core.auth import authenticated_user
from nexus.core.graphql import FieldError, MutationErrors, NotFound, pk_from_id, pk_or_not_found
from nexus.journal import selectors, services
from nexus.journal.models import Entry, Milestone, MilestoneProgress, Program, ProgramMonth
from nexus.mentorship.models import Decision
from nexus.mentorship.services import milestones as milestone_services


@strawberry_django.type(Milestone, name="Milestone")
class MilestoneType:
    id: strawberry.auto
    number: strawberry.auto
    title: strawberry.auto
    description: strawberry.auto


@strawberry_django.type(ProgramMonth, name="ProgramMonth")
class ProgramMonthType:
    number: strawberry.auto
    title: strawberry.auto
    description: strawberry.auto
    milestones: list[MilestoneType]

    @strawberry_django.field(prefetch_related=["topics"])
    def topics(self) -> list[str]:
        return [t.slug for t in cast(ProgramMonth, self).topics.all()]


@strawberry_django.type(Program, name="Program")
class ProgramType:
    slug: strawberry.auto
    title: strawberry.auto
    description: strawberry.auto
    is_default: strawberry.auto
    months: list[ProgramMonthType]


@strawberry.type(name="JournalAuthor")
class AuthorType:
    id: strawberry.ID
    display_name: str


@strawberry_django.type(Entry, name="JournalEntry")
class EntryType:
    id: strawberry.auto
    date: strawberry.auto
    body: strawberry.auto
    body_html: strawberry.auto
    minutes_spent: strawberry.auto
    confidence: strawberry.auto
    visibility: strawberry.auto

    @strawberry_django.field(select_related=["author"])
    def author(self) -> AuthorType:
        author = cast(Entry, self).author
        return AuthorType(id=strawberry.ID(str(author.pk)), display_name=author.display_name)

    @strawberry_django.field(prefetch_related=["topics"])
    def topics(self) -> list[str]:
        return [t.slug for t in cast(Entry, self).topics.all()]

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Entry], info: Info, **kwargs: Any) -> QuerySet[Entry]:
        # Every path to an entry is scoped to what the viewer may see.
        return queryset.filter(selectors.visible_to(info.context.request.user)).order_by(
            "-date", "-id"
        )


@strawberry_django.filter_type(Entry, lookups=True)
class EntryFilter:
    date: strawberry.auto
    visibility: strawberry.auto
    author_id: strawberry.auto


@strawberry_django.type(MilestoneProgress, name="MilestoneProgress")
class ProgressType:
    id: strawberry.auto
    status: strawberry.auto
    repository_url: strawberry.auto
    deployed_url: strawberry.auto
    review_comment: strawberry.auto
    reviewed_at: strawberry.auto
    milestone: MilestoneType

    @strawberry_django.field(select_related=["learner"])
    def learner(self) -> AuthorType:
        learner = cast(MilestoneProgress, self).learner
        return AuthorType(id=strawberry.ID(str(learner.pk)), display_name=learner.display_name)

    @classmethod
    def get_queryset(
        cls, queryset: QuerySet[MilestoneProgress], info: Info, **kwargs: Any
    ) -> QuerySet[MilestoneProgress]:
        user = info.context.request.user
        if not user.is_authenticated:
            return queryset.none()
        return queryset if user.is_moderator else queryset.filter(learner=user)


@strawberry.input
class EntryInput:
    date: datetime.date
    body: str
    minutes_spent: int = 0
    confidence: int = 3
    visibility: str = "private"
    topics: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class EntryChanges:
    date: datetime.date | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    minutes_spent: int | None = strawberry.UNSET
    confidence: int | None = strawberry.UNSET
    visibility: str | None = strawberry.UNSET
    topics: list[str] | None = strawberry.UNSET


@strawberry.type
class EntryResult:
    entry: EntryType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class ProgressResult:
    progress: ProgressType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    programs: list[ProgramType] = strawberry_django.field()
    journal_entries: OffsetPaginated[EntryType] = strawberry_django.offset_paginated(
        filters=EntryFilter
    )
    milestone_progress: OffsetPaginated[ProgressType] = strawberry_django.offset_paginated(
        extensions=[IsAuthenticated()]
    )

    @strawberry_django.field
    def journal_entry(self, info: Info, id: strawberry.ID) -> EntryType | None:
        if (pk := pk_from_id(id)) is None:
            return None
        return cast(
            EntryType | None, selectors.entry_get(viewer=info.context.request.user, entry_id=pk)
        )


@strawberry.type
class Mutation:
    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def create_journal_entry(self, info: Info, data: EntryInput) -> EntryResult:
        entry = services.entry_create(
            author=authenticated_user(info.context.request),
            date=data.date,
            body=data.body,
            minutes_spent=data.minutes_spent,
            confidence=data.confidence,
            visibility=data.visibility,
            topics=data.topics,
        )
        return EntryResult(entry=cast(EntryType, entry))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def update_journal_entry(
        self, info: Info, id: strawberry.ID, data: EntryChanges
    ) -> EntryResult:
        user = authenticated_user(info.context.request)
        entry = selectors.entry_get(viewer=user, entry_id=pk_or_not_found(id))
        if entry is None:
            raise NotFound(field="id", message="No such entry.")
        changes: dict[str, Any] = {
            k: v for k, v in strawberry.asdict(data).items() if v is not strawberry.UNSET
        }
        entry = services.entry_update(entry=entry, actor=user, **changes)
        return EntryResult(entry=cast(EntryType, entry))

    @strawberry_django.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def review_milestone(
        self, info: Info, id: strawberry.ID, approve: bool, comment: str = ""
    ) -> ProgressResult:
        user = authenticated_user(info.context.request)
        progress = selectors.progress_get(viewer=user, progress_id=pk_or_not_found(id))
        if progress is None:
            # Not a not_found: only mentors, who see every milestone, may review one.
            raise PermissionDenied
        try:
            milestone_services.milestone_review(
                progress=progress,
                reviewer=user,
                decision=Decision.APPROVED if approve else Decision.CHANGES_REQUESTED,
                comment=comment,
            )
        except milestone_services.ReviewConflict as conflict:
            return ProgressResult(
                errors=[FieldError(field="__all__", message=str(conflict), code="review_conflict")]
            )
        progress = selectors.progress_get(viewer=user, progress_id=progress.pk)
        return ProgressResult(progress=cast(ProgressType, progress))
