"""Writes of cohorts: the cohorts themselves, who is in them, who mentors whom, invitations."""

import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from nexus.accounts import services as accounts
from nexus.accounts.models import User
from nexus.core import clock, conditional, events, taskqueue
from nexus.journal import policies, selectors
from nexus.journal.models import (
    Cohort,
    CohortInvitation,
    CohortMembership,
    InvitationState,
    Milestone,
    MilestoneProgress,
    Program,
    invitation_key,
)

MAX_NAME_LENGTH = 120
INVITATION_DAYS = 14
MAX_INVITATION_DAYS = 90
MAX_INVITATION_USES = 10_000

# What someone holding a link that no longer works is told; nothing changes for them.
INVITATION_REFUSALS: dict[str, str] = {
    InvitationState.REVOKED: "This invitation was withdrawn. Ask your mentor for a new link.",
    InvitationState.EXPIRED: "This invitation has expired. Ask your mentor for a new link.",
    InvitationState.USED_UP: "This invitation has been used as many times as it allows.",
}
INVALID_LINK = "This invitation link is not valid. Check that you copied all of it."


def cohort_url(cohort: Cohort) -> str:
    return reverse("journal:cohort", kwargs={"cohort_id": cohort.pk})


def _clean_name(name: str, *, cohort: Cohort | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["A cohort needs a name."]}, code="required")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            {"name": [f"Keep the name under {MAX_NAME_LENGTH} characters."]}, code="too_long"
        )
    others = Cohort.objects.filter(name__iexact=name)
    if cohort is not None:
        others = others.exclude(pk=cohort.pk)
    if others.exists():
        raise ValidationError({"name": ["A cohort with this name exists."]}, code="unique")
    return name


def _check_mentors(mentors: Sequence[User]) -> None:
    not_mentors = sorted(user.display_name for user in mentors if not user.is_moderator)
    if not_mentors:
        raise ValidationError(
            {"mentors": [f"Only mentors and admins mentor a cohort: {', '.join(not_mentors)}."]},
            code="not_a_mentor",
        )
    inactive = sorted(user.display_name for user in mentors if not user.is_active)
    if inactive:
        raise ValidationError(
            {"mentors": [f"These accounts are not active: {', '.join(inactive)}."]},
            code="inactive",
        )


def _check_open(cohort: Cohort) -> None:
    if cohort.is_archived:
        raise ValidationError(
            {"cohort": ["This cohort is archived: it takes no new learners."]}, code="archived"
        )


def _lock(cohort: Cohort) -> Cohort:
    return Cohort.objects.select_for_update().get(pk=cohort.pk)


@transaction.atomic
def cohort_create(
    *,
    actor: User,
    program: Program,
    name: str,
    start_date: date,
    mentors: Sequence[User] = (),
    description: str = "",
) -> Cohort:
    """Start a cohort on a program; a mentor who starts one mentors it (or could not manage it)."""
    if not policies.can_create_cohort(actor, program):
        raise PermissionDenied("Only mentors and admins start cohorts.")
    name = _clean_name(name)
    chosen = list(mentors)
    if not actor.is_admin and actor not in chosen:
        chosen.append(actor)
    _check_mentors(chosen)
    cohort = Cohort.objects.create(
        program=program, name=name, start_date=start_date, description=description
    )
    cohort.mentors.set(chosen)
    events.publish("journal.cohort_created", subject=cohort, actor=actor)
    return cohort


@transaction.atomic
def cohort_update(
    *,
    cohort: Cohort,
    actor: User,
    name: str | None = None,
    description: str | None = None,
    start_date: date | None = None,
    expected_etag: str | None = None,
) -> Cohort:
    """Rename a cohort or change its description or start date; None keeps a value; a stale
    expected_etag changes nothing."""
    if not policies.can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only the cohort's mentors and admins change it.")
    cohort = _lock(cohort)
    conditional.check_if_match(expected_etag, cohort)
    if name is not None:
        cohort.name = _clean_name(name, cohort=cohort)
    if description is not None:
        cohort.description = description
    if start_date is not None:
        cohort.start_date = start_date
    cohort.full_clean(exclude=["program", "name"])
    cohort.save()
    accounts.users_cohort_label_set(
        user_ids=selectors.cohort_learner_ids(cohort=cohort).values_list("learner_id", flat=True),
        label=cohort.name,
    )
    events.publish("journal.cohort_updated", subject=cohort, actor=actor)
    return cohort


@transaction.atomic
def cohort_archive(
    *, cohort: Cohort, actor: User, archived: bool = True, expected_etag: str | None = None
) -> Cohort:
    """Archive a cohort (it leaves the pickers, its history stays) or bring it back; a stale
    expected_etag changes nothing."""
    if not policies.can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only the cohort's mentors and admins archive it.")
    cohort = _lock(cohort)
    conditional.check_if_match(expected_etag, cohort)
    if archived and cohort.archived_at is None:
        cohort.archived_at = clock.now()
    elif not archived:
        cohort.archived_at = None
    cohort.save(update_fields=["archived_at", "updated_at"])
    events.publish(
        "journal.cohort_archived" if archived else "journal.cohort_restored",
        subject=cohort,
        actor=actor,
    )
    return cohort


@transaction.atomic
def cohort_set_mentors(*, cohort: Cohort, actor: User, mentors: Sequence[User]) -> Cohort:
    """Say who mentors a cohort; a mentor who leaves it stops mentoring its learners too."""
    if not policies.can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only the cohort's mentors and admins choose its mentors.")
    _check_mentors(mentors)
    cohort = _lock(cohort)
    cohort.mentors.set(mentors)
    CohortMembership.mentors.through.objects.filter(cohortmembership__cohort=cohort).exclude(
        user_id__in=[user.pk for user in mentors]
    ).delete()
    events.publish(
        "journal.cohort_mentors_changed",
        subject=cohort,
        actor=actor,
        payload={"mentor_ids": [user.pk for user in mentors]},
    )
    return cohort


def _join(
    *, cohort: Cohort, learner: User, actor: User, invitation: CohortInvitation | None = None
) -> tuple[CohortMembership, bool]:
    """Open the learner's membership of a cohort, closing the one they had (history is kept).

    Returns the membership and whether it is new: joining the cohort one is in changes nothing.
    """
    # One learner's moves are serialised, so two joins cannot both find "no current membership".
    User.objects.select_for_update().filter(pk=learner.pk).first()
    current = selectors.current_memberships().filter(learner=learner).first()
    if current is not None and current.cohort_id == cohort.pk:
        return current, False
    now = clock.now()
    if current is not None:
        current.left_at = now
        current.save(update_fields=["left_at", "updated_at"])
    membership = CohortMembership.objects.create(
        cohort=cohort, learner=learner, joined_at=now, invitation=invitation
    )
    cohort_sync_progress(cohort=cohort, learner_ids=[learner.pk])
    accounts.users_cohort_label_set(user_ids=[learner.pk], label=cohort.name)
    inviter_ids = [invitation.created_by_id] if invitation and invitation.created_by_id else []
    mentor_ids = list(cohort.mentors.values_list("pk", flat=True))
    events.publish(
        "cohort.joined",
        subject=cohort,
        actor=actor,
        payload={
            "title": f"{learner.display_name} joined {cohort.name}",
            "url": cohort_url(cohort),
            "recipient_ids": sorted({*inviter_ids, *mentor_ids}),
            "learner": learner.pk,
            "moved_from": current.cohort_id if current else None,
        },
    )
    return membership, True


@transaction.atomic
def cohort_add_learner(*, actor: User, cohort: Cohort, learner: User) -> CohortMembership:
    """Put a learner in a cohort (moving them from another, history kept) with a row per
    program milestone; adding someone who is already in it changes nothing."""
    if not policies.can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only the cohort's mentors and admins add learners.")
    cohort = _lock(cohort)
    _check_open(cohort)
    if not learner.is_active:
        raise ValidationError({"learner": ["This account is not active."]}, code="inactive")
    membership, _ = _join(cohort=cohort, learner=learner, actor=actor)
    return membership


@transaction.atomic
def cohort_remove_learner(*, actor: User, cohort: Cohort, learner: User) -> CohortMembership:
    """Take a learner out of a cohort: their membership ends, its history stays."""
    if not policies.can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only the cohort's mentors and admins remove learners.")
    membership = (
        selectors.current_memberships()
        .select_for_update()
        .filter(cohort=cohort, learner=learner)
        .first()
    )
    if membership is None:
        raise ValidationError({"learner": ["This person is not in the cohort."]}, code="not_in")
    membership.left_at = clock.now()
    membership.save(update_fields=["left_at", "updated_at"])
    accounts.users_cohort_label_set(user_ids=[learner.pk], label="")
    events.publish(
        "journal.cohort_left", subject=cohort, actor=actor, payload={"learner": learner.pk}
    )
    return membership


@transaction.atomic
def membership_set_mentors(
    *, membership: CohortMembership, actor: User, mentors: Sequence[User]
) -> CohortMembership:
    """Assign a learner their own mentors among the cohort's; none means all the cohort's."""
    cohort = membership.cohort
    if not policies.can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only the cohort's mentors and admins assign mentors.")
    if membership.left_at is not None:
        raise ValidationError({"learner": ["This learner has left the cohort."]}, code="left")
    cohort_mentor_ids = set(cohort.mentors.values_list("pk", flat=True))
    outsiders = sorted(user.display_name for user in mentors if user.pk not in cohort_mentor_ids)
    if outsiders:
        raise ValidationError(
            {"mentors": [f"Not a mentor of {cohort.name}: {', '.join(outsiders)}."]},
            code="not_cohort_mentor",
        )
    membership.mentors.set(mentors)
    events.publish(
        "journal.learner_mentors_changed",
        subject=cohort,
        actor=actor,
        payload={"learner": membership.learner_id, "mentor_ids": [user.pk for user in mentors]},
    )
    return membership


def _check_expiry(expires_at: datetime | None) -> datetime:
    now = clock.now()
    if expires_at is None:
        return now + timedelta(days=INVITATION_DAYS)
    if expires_at.tzinfo is None:
        raise ValidationError({"expires_at": ["Give a time zone."]}, code="naive")
    if expires_at <= now:
        raise ValidationError({"expires_at": ["Choose a moment in the future."]}, code="past")
    if expires_at > now + timedelta(days=MAX_INVITATION_DAYS):
        raise ValidationError(
            {"expires_at": [f"An invitation lasts at most {MAX_INVITATION_DAYS} days."]},
            code="too_far",
        )
    return expires_at


def _check_max_uses(max_uses: int | None) -> None:
    if max_uses is not None and not 1 <= max_uses <= MAX_INVITATION_USES:
        raise ValidationError(
            {"max_uses": [f"Allow from 1 to {MAX_INVITATION_USES} uses, or leave it empty."]},
            code="range",
        )


@transaction.atomic
def invitation_create(
    *,
    cohort: Cohort,
    actor: User,
    email: str = "",
    expires_at: datetime | None = None,
    max_uses: int | None = None,
) -> CohortInvitation:
    """An invite link to a cohort; with an e-mail address, the link is also sent there."""
    if not policies.can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only the cohort's mentors and admins invite people.")
    cohort = _lock(cohort)
    _check_open(cohort)
    expires_at = _check_expiry(expires_at)
    _check_max_uses(max_uses)
    invitation = CohortInvitation(
        cohort=cohort,
        created_by=actor,
        email=User.objects.normalize_email(email.strip()),
        key=secrets.token_urlsafe(24),
        expires_at=expires_at,
        max_uses=max_uses,
    )
    invitation.full_clean(exclude=["cohort", "created_by"])
    invitation.save()
    if invitation.email:
        taskqueue.enqueue_on_commit("nexus.journal.tasks.send_cohort_invitation", invitation.pk)
    events.publish(
        "cohort.invited",
        subject=cohort,
        actor=actor,
        payload={
            "title": f"{actor.display_name} invited "
            f"{invitation.email or 'people with a link'} to {cohort.name}",
            "url": cohort_url(cohort),
            "recipient_ids": sorted({actor.pk, *cohort.mentors.values_list("pk", flat=True)}),
            "invitation": invitation.pk,
        },
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: CohortInvitation, actor: User) -> CohortInvitation:
    """Withdraw an invitation: its link stops working; those who joined stay."""
    if not policies.can_manage_cohort(actor, invitation.cohort):
        raise PermissionDenied("Only the cohort's mentors and admins withdraw invitations.")
    invitation = CohortInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.revoked_at is None:
        invitation.revoked_at = clock.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


def invitation_from_token(token: str) -> CohortInvitation:
    """The invitation a link names, or a `token` field error when the link is not ours."""
    key = invitation_key(token)
    invitation = selectors.invitation_by_key(key=key) if key else None
    if invitation is None:
        raise ValidationError({"token": [INVALID_LINK]}, code="invalid")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> CohortMembership:
    """Join a cohort through an invite link. A use is counted under the invitation's row lock,
    so a limit holds however many accept at once; accepting again changes nothing; a revoked,
    expired or used-up link is refused and changes nothing."""
    found = invitation_from_token(token)
    if not policies.can_join_cohort(user, found.cohort):
        raise PermissionDenied("This cohort takes no new learners.")
    invitation = CohortInvitation.objects.select_for_update().get(pk=found.pk)
    _check_open(invitation.cohort)
    current = selectors.membership_of(learner=user)
    if current is not None and current.cohort_id == invitation.cohort_id:
        return current
    state = invitation.state(clock.now())
    if state != InvitationState.OPEN:
        raise ValidationError({"token": [INVITATION_REFUSALS[state]]}, code=state)
    CohortInvitation.objects.filter(pk=invitation.pk).update(uses=F("uses") + 1)
    membership, _ = _join(cohort=found.cohort, learner=user, actor=user, invitation=invitation)
    return membership


@transaction.atomic
def cohort_sync_progress(*, cohort: Cohort, learner_ids: Sequence[int] | None = None) -> int:
    """Give every member (or the given ones) a progress row per program milestone (idempotent);
    returns rows added."""
    members = list(selectors.cohort_learner_ids(cohort=cohort).values_list("learner_id", flat=True))
    if learner_ids is not None:
        members = [pk for pk in members if pk in set(learner_ids)]
    milestones = list(
        Milestone.objects.filter(program_id=cohort.program_id).values_list("pk", flat=True)
    )
    existing = set(
        MilestoneProgress.objects.filter(
            learner_id__in=members, milestone_id__in=milestones
        ).values_list("learner_id", "milestone_id")
    )
    missing = [
        MilestoneProgress(learner_id=learner_id, milestone_id=milestone_id)
        for learner_id in members
        for milestone_id in milestones
        if (learner_id, milestone_id) not in existing
    ]
    MilestoneProgress.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)
