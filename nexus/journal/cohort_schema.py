"""GraphQL for cohorts, mirroring /api/v1/cohorts/: the same selectors, policies and services."""

import datetime
from typing import Any

import strawberry
from django.core.exceptions import ValidationError
from strawberry.types import Info
from strawberry_django.permissions import IsAuthenticated

from nexus.accounts.models import User
from nexus.core import clock
from nexus.core.auth import authenticated_user
from nexus.core.graphql import FieldError, MutationErrors, NotFound, pk_from_id, pk_or_not_found
from nexus.journal import policies, selectors, services
from nexus.journal.models import Cohort, CohortInvitation, CohortMembership

MAX_IDS = 50


@strawberry.type(name="CohortPerson")
class PersonType:
    id: strawberry.ID
    display_name: str


def _person(user: User) -> PersonType:
    return PersonType(id=strawberry.ID(str(user.pk)), display_name=user.display_name)


@strawberry.type(name="CohortMember")
class MemberType:
    learner: PersonType
    mentors: list[PersonType]
    joined_at: datetime.datetime
    left_at: datetime.datetime | None


def _member(membership: CohortMembership) -> MemberType:
    return MemberType(
        learner=_person(membership.learner),
        mentors=[_person(user) for user in membership.mentors.all()],
        joined_at=membership.joined_at,
        left_at=membership.left_at,
    )


@strawberry.type(name="CohortInvitation")
class InvitationType:
    id: strawberry.ID
    email: str
    expires_at: datetime.datetime
    max_uses: int | None
    uses: int
    state: str
    token: str


def _invitation(invitation: CohortInvitation) -> InvitationType:
    return InvitationType(
        id=strawberry.ID(str(invitation.pk)),
        email=invitation.email,
        expires_at=invitation.expires_at,
        max_uses=invitation.max_uses,
        uses=invitation.uses,
        state=invitation.state(clock.now()),
        token=invitation.token,
    )


@strawberry.type(name="Cohort")
class CohortType:
    id: strawberry.ID
    name: str
    description: str
    program: str
    start_date: datetime.date
    archived_at: datetime.datetime | None
    mentors: list[PersonType]
    _cohort: strawberry.Private[Cohort]

    @strawberry.field(description="Who is in it now: its mentors and admins only, else null.")
    def members(self, info: Info) -> list[MemberType] | None:
        if not policies.can_view_cohort_people(info.context.request.user, self._cohort):
            return None
        return [_member(m) for m in selectors.cohort_members(cohort=self._cohort)]

    @strawberry.field(description="Its invite links: its mentors and admins only, else null.")
    def invitations(self, info: Info) -> list[InvitationType] | None:
        if not policies.can_view_cohort_people(info.context.request.user, self._cohort):
            return None
        return [_invitation(i) for i in selectors.cohort_invitations(cohort=self._cohort)[:100]]


def _cohort(cohort: Cohort) -> CohortType:
    return CohortType(
        id=strawberry.ID(str(cohort.pk)),
        name=cohort.name,
        description=cohort.description,
        program=cohort.program.slug,
        start_date=cohort.start_date,
        archived_at=cohort.archived_at,
        mentors=[_person(user) for user in cohort.mentors.all()],
        _cohort=cohort,
    )


def _visible_cohort(info: Info, value: strawberry.ID, *, field: str) -> Cohort:
    cohort = (
        selectors.cohorts_visible_to(viewer=info.context.request.user)
        .filter(pk=pk_or_not_found(value, field=field))
        .first()
    )
    if cohort is None:
        raise NotFound(field=field, message="No such cohort.")
    return cohort


def _people(ids: list[strawberry.ID], field: str) -> list[User]:
    if len(ids) > MAX_IDS:
        raise ValidationError({field: [f"At most {MAX_IDS}."]})
    pks = [pk_from_id(value) for value in ids]
    found = list(User.objects.filter(pk__in=[pk for pk in pks if pk], is_active=True))
    if len(found) != len(set(pks)) or None in pks:
        raise ValidationError({field: ["Name active users only."]})
    return found


def _membership(cohort: Cohort, user_id: strawberry.ID) -> CohortMembership:
    membership = (
        selectors.cohort_members(cohort=cohort)
        .filter(learner_id=pk_or_not_found(user_id, field="userId"))
        .first()
    )
    if membership is None:
        raise NotFound(field="userId", message="This person is not in the cohort.")
    return membership


@strawberry.type
class CohortResult:
    cohort: CohortType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class CohortMemberResult:
    member: MemberType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


@strawberry.type
class CohortInvitationResult:
    invitation: InvitationType | None = None
    errors: list[FieldError] = strawberry.field(default_factory=list)


def _fresh(cohort: Cohort) -> CohortType:
    return _cohort(selectors.cohort_list().prefetch_related("mentors").get(pk=cohort.pk))


@strawberry.type
class Query:
    @strawberry.field
    def cohorts(self, info: Info, archived: bool | None = None) -> list[CohortType]:
        """Cohorts the viewer may see (mentors and admins: all; a learner: theirs; nobody
        signed in: none)."""
        viewer = info.context.request.user
        return [
            _cohort(c) for c in selectors.cohorts_visible_to(viewer=viewer, archived=archived)[:100]
        ]

    @strawberry.field
    def cohort(self, info: Info, id: strawberry.ID) -> CohortType | None:
        if (pk := pk_from_id(id)) is None:
            return None
        found = selectors.cohorts_visible_to(viewer=info.context.request.user).filter(pk=pk)
        cohort = found.first()
        return _cohort(cohort) if cohort else None


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def create_cohort(
        self,
        info: Info,
        name: str,
        start_date: datetime.date,
        program: str | None = None,
        description: str = "",
    ) -> CohortResult:
        """Start a cohort; a mentor who starts one mentors it (setCohortMentors adds others)."""
        found = (
            selectors.default_program()
            if program is None
            else selectors.program_list().filter(slug=program).first()
        )
        if found is None:
            raise ValidationError({"program": ["No such program."]})
        cohort = services.cohort_create(
            actor=authenticated_user(info.context.request),
            program=found,
            name=name,
            start_date=start_date,
            description=description,
        )
        return CohortResult(cohort=_fresh(cohort))

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def update_cohort(
        self,
        info: Info,
        id: strawberry.ID,
        name: str | None = None,
        description: str | None = None,
        start_date: datetime.date | None = None,
        archived: bool | None = None,
    ) -> CohortResult:
        cohort = _visible_cohort(info, id, field="id")
        actor = authenticated_user(info.context.request)
        changes: dict[str, Any] = {
            "name": name,
            "description": description,
            "start_date": start_date,
        }
        if any(value is not None for value in changes.values()) or archived is None:
            cohort = services.cohort_update(cohort=cohort, actor=actor, **changes)
        if archived is not None:
            cohort = services.cohort_archive(cohort=cohort, actor=actor, archived=archived)
        return CohortResult(cohort=_fresh(cohort))

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def set_cohort_mentors(
        self, info: Info, id: strawberry.ID, mentor_ids: list[strawberry.ID]
    ) -> CohortResult:
        cohort = _visible_cohort(info, id, field="id")
        services.cohort_set_mentors(
            cohort=cohort,
            actor=authenticated_user(info.context.request),
            mentors=_people(mentor_ids, "mentorIds"),
        )
        return CohortResult(cohort=_fresh(cohort))

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def add_cohort_member(
        self, info: Info, cohort_id: strawberry.ID, user_id: strawberry.ID
    ) -> CohortMemberResult:
        cohort = _visible_cohort(info, cohort_id, field="cohortId")
        learner = User.objects.filter(
            pk=pk_or_not_found(user_id, field="userId"), is_active=True
        ).first()
        if learner is None:
            raise NotFound(field="userId", message="No such user.")
        membership = services.cohort_add_learner(
            actor=authenticated_user(info.context.request), cohort=cohort, learner=learner
        )
        return CohortMemberResult(member=_member(membership))

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def remove_cohort_member(
        self, info: Info, cohort_id: strawberry.ID, user_id: strawberry.ID
    ) -> CohortMemberResult:
        cohort = _visible_cohort(info, cohort_id, field="cohortId")
        actor = authenticated_user(info.context.request)
        if not policies.can_view_cohort_people(actor, cohort):
            raise NotFound(field="userId", message="This person is not in the cohort.")
        membership = _membership(cohort, user_id)
        membership = services.cohort_remove_learner(
            actor=actor, cohort=cohort, learner=membership.learner
        )
        return CohortMemberResult(member=_member(membership))

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def set_learner_mentors(
        self,
        info: Info,
        cohort_id: strawberry.ID,
        user_id: strawberry.ID,
        mentor_ids: list[strawberry.ID],
    ) -> CohortMemberResult:
        cohort = _visible_cohort(info, cohort_id, field="cohortId")
        actor = authenticated_user(info.context.request)
        if not policies.can_view_cohort_people(actor, cohort):
            raise NotFound(field="userId", message="This person is not in the cohort.")
        membership = services.membership_set_mentors(
            membership=_membership(cohort, user_id),
            actor=actor,
            mentors=_people(mentor_ids, "mentorIds"),
        )
        return CohortMemberResult(member=_member(membership))

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def create_cohort_invitation(
        self,
        info: Info,
        cohort_id: strawberry.ID,
        email: str = "",
        expires_at: datetime.datetime | None = None,
        max_uses: int | None = None,
    ) -> CohortInvitationResult:
        cohort = _visible_cohort(info, cohort_id, field="cohortId")
        invitation = services.invitation_create(
            cohort=cohort,
            actor=authenticated_user(info.context.request),
            email=email,
            expires_at=expires_at,
            max_uses=max_uses,
        )
        return CohortInvitationResult(invitation=_invitation(invitation))

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def revoke_cohort_invitation(
        self, info: Info, cohort_id: strawberry.ID, id: strawberry.ID
    ) -> CohortInvitationResult:
        cohort = _visible_cohort(info, cohort_id, field="cohortId")
        actor = authenticated_user(info.context.request)
        invitation = (
            selectors.cohort_invitations(cohort=cohort).filter(pk=pk_or_not_found(id)).first()
            if policies.can_view_cohort_people(actor, cohort)
            else None
        )
        if invitation is None:
            raise NotFound(field="id", message="No such invitation.")
        invitation = services.invitation_revoke(invitation=invitation, actor=actor)
        return CohortInvitationResult(invitation=_invitation(invitation))

    @strawberry.mutation(extensions=[MutationErrors(), IsAuthenticated()])
    def accept_cohort_invitation(self, info: Info, token: str) -> CohortMemberResult:
        """Join the invitation's cohort; accepting again changes nothing."""
        membership = services.invitation_accept(
            token=token, user=authenticated_user(info.context.request)
        )
        return CohortMemberResult(member=_member(membership))
