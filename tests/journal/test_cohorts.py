"""Cohorts without the admin site: history when learners move, per-learner mentors, invitations
that refuse cleanly and count their uses under a lock, and the events people hear of."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from nexus.accounts.models import Role
from nexus.core import clock
from nexus.core.models import OutboxEvent
from nexus.journal import policies, selectors, services
from nexus.journal.models import CohortInvitation, CohortMembership, MilestoneStatus
from nexus.notifications.models import Notification
from tests.factories import UserFactory
from tests.refusals import assert_refused


@pytest.fixture
def other_mentor(db):
    return UserFactory(display_name="Mo Other-Mentor", role=Role.MENTOR)


@pytest.fixture
def second_cohort(program, other_mentor):
    return services.cohort_create(
        actor=other_mentor,
        program=program,
        name="Winter cohort",
        start_date=clock.today() - timedelta(days=10),
    )


def _state():
    return (
        list(CohortMembership.objects.values_list("learner_id", "cohort_id", "left_at")),
        list(CohortInvitation.objects.values_list("pk", "uses", "revoked_at")),
    )


def test_moving_a_learner_closes_the_old_membership_and_keeps_it(
    learner, cohort, second_cohort, admin_user
):
    services.cohort_add_learner(actor=admin_user, cohort=second_cohort, learner=learner)

    history = list(selectors.membership_history(learner=learner))
    assert [m.cohort for m in history] == [second_cohort, cohort]
    assert history[0].left_at is None
    assert history[1].left_at is not None
    assert selectors.cohort_of(learner=learner) == second_cohort
    assert list(selectors.cohort_learner_ids(cohort=cohort)) == []


def test_adding_someone_already_in_the_cohort_changes_nothing(learner, cohort, mentor):
    before = CohortMembership.objects.count()
    services.cohort_add_learner(actor=mentor, cohort=cohort, learner=learner)
    assert CohortMembership.objects.count() == before


def test_the_database_refuses_two_current_memberships(learner, second_cohort):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CohortMembership.objects.create(cohort=second_cohort, learner=learner)


def test_removing_a_learner_ends_the_membership(learner, cohort, mentor):
    services.cohort_remove_learner(actor=mentor, cohort=cohort, learner=learner)
    assert selectors.cohort_of(learner=learner) is None
    assert selectors.membership_history(learner=learner).get().left_at is not None
    with pytest.raises(ValidationError) as refusal:
        services.cohort_remove_learner(actor=mentor, cohort=cohort, learner=learner)
    assert "learner" in refusal.value.message_dict


def test_a_learners_mentors_are_those_assigned_or_else_the_cohorts(
    learner, cohort, mentor, admin_user
):
    second = UserFactory(display_name="Sam Second", role=Role.MENTOR)
    services.cohort_set_mentors(cohort=cohort, actor=admin_user, mentors=[mentor, second])
    assert set(selectors.mentors_of(learner=learner)) == {mentor, second}
    assert policies.is_mentor_of(mentor, learner)
    assert policies.is_mentor_of(second, learner)

    membership = selectors.membership_of(learner=learner)
    services.membership_set_mentors(membership=membership, actor=mentor, mentors=[second])

    assert list(selectors.mentors_of(learner=learner)) == [second]
    assert not policies.is_mentor_of(mentor, learner)
    assert policies.is_mentor_of(admin_user, learner)
    assert (
        list(selectors.mentored_learner_ids(mentor=mentor).values_list("learner_id", flat=True))
        == []
    )
    assert [r["learner_id"] for r in selectors.mentored_learner_ids(mentor=second)] == [learner.pk]


def test_a_mentor_leaving_the_cohort_stops_mentoring_its_learners(
    learner, cohort, mentor, admin_user
):
    second = UserFactory(role=Role.MENTOR)
    services.cohort_set_mentors(cohort=cohort, actor=admin_user, mentors=[mentor, second])
    membership = selectors.membership_of(learner=learner)
    services.membership_set_mentors(membership=membership, actor=mentor, mentors=[second])
    services.cohort_set_mentors(cohort=cohort, actor=admin_user, mentors=[mentor])
    assert list(selectors.mentors_of(learner=learner)) == [mentor]


def test_only_a_cohorts_mentors_can_be_assigned_to_its_learners(learner, cohort, other_mentor):
    membership = selectors.membership_of(learner=learner)
    with pytest.raises(ValidationError) as refusal:
        services.membership_set_mentors(
            membership=membership, actor=cohort.mentors.get(), mentors=[other_mentor]
        )
    assert "mentors" in refusal.value.message_dict


def test_learners_cannot_be_made_mentors(cohort, admin_user, other_user):
    with pytest.raises(ValidationError) as refusal:
        services.cohort_set_mentors(cohort=cohort, actor=admin_user, mentors=[other_user])
    assert "mentors" in refusal.value.message_dict


def test_a_mentor_of_another_cohort_manages_nothing_in_this_one(
    learner, cohort, other_mentor, other_user
):
    attempts = [
        lambda: services.cohort_update(cohort=cohort, actor=other_mentor, name="Taken over"),
        lambda: services.cohort_archive(cohort=cohort, actor=other_mentor),
        lambda: services.cohort_set_mentors(cohort=cohort, actor=other_mentor, mentors=[]),
        lambda: services.cohort_add_learner(actor=other_mentor, cohort=cohort, learner=other_user),
        lambda: services.cohort_remove_learner(actor=other_mentor, cohort=cohort, learner=learner),
        lambda: services.invitation_create(cohort=cohort, actor=other_mentor),
    ]
    for attempt in attempts:
        assert_refused(attempt, _state)


def test_learners_start_no_cohort_and_manage_none(learner, cohort, program, other_user):
    assert_refused(
        lambda: services.cohort_create(
            actor=learner, program=program, name="Mine", start_date=clock.today()
        ),
        _state,
    )
    assert_refused(lambda: services.invitation_create(cohort=cohort, actor=learner), _state)


def test_a_mentor_who_starts_a_cohort_mentors_it(program, other_mentor):
    cohort = services.cohort_create(
        actor=other_mentor, program=program, name="Spring", start_date=clock.today()
    )
    assert list(cohort.mentors.all()) == [other_mentor]
    assert policies.can_manage_cohort(other_mentor, cohort)


def test_cohort_names_are_unique_whatever_their_case(cohort, mentor, program):
    with pytest.raises(ValidationError) as refusal:
        services.cohort_create(
            actor=mentor, program=program, name=" autumn COHORT ", start_date=clock.today()
        )
    assert "name" in refusal.value.message_dict


def test_an_archived_cohort_leaves_the_pickers_keeps_its_history_and_takes_nobody(
    learner, cohort, mentor, other_user
):
    services.cohort_archive(cohort=cohort, actor=mentor)
    assert cohort not in selectors.cohort_list(include_archived=False)
    assert cohort in selectors.cohorts_visible_to(viewer=mentor, archived=True)
    assert selectors.cohort_of(learner=learner) == cohort
    with pytest.raises(ValidationError):
        services.cohort_add_learner(actor=mentor, cohort=cohort, learner=other_user)
    with pytest.raises(ValidationError):
        services.invitation_create(cohort=cohort, actor=mentor)


def test_joining_by_link_gives_milestones_and_tells_the_inviter_and_mentors(
    cohort, mentor, other_user, django_capture_on_commit_callbacks
):
    invitation = services.invitation_create(cohort=cohort, actor=mentor, max_uses=3)
    invited = OutboxEvent.objects.get(name="cohort.invited")
    assert invited.payload["recipient_ids"] == [mentor.pk]

    with django_capture_on_commit_callbacks(execute=True):
        membership = services.invitation_accept(token=invitation.token, user=other_user)

    assert membership.invitation == invitation
    assert membership.cohort == cohort
    assert CohortInvitation.objects.get(pk=invitation.pk).uses == 1
    progress = selectors.progress_list(viewer=other_user).filter(learner=other_user)
    assert progress.count() == 6
    assert {p.status for p in progress} == {MilestoneStatus.NOT_STARTED}
    joined = OutboxEvent.objects.get(name="cohort.joined")
    assert joined.payload["recipient_ids"] == [mentor.pk]
    assert joined.payload["url"] == f"/journal/cohorts/{cohort.pk}/people/"
    assert Notification.objects.filter(recipient=mentor, event_id=joined.pk).exists()


def test_accepting_twice_is_one_use(cohort, mentor, other_user):
    invitation = services.invitation_create(cohort=cohort, actor=mentor, max_uses=1)
    first = services.invitation_accept(token=invitation.token, user=other_user)
    again = services.invitation_accept(token=invitation.token, user=other_user)
    assert first.pk == again.pk
    assert CohortInvitation.objects.get(pk=invitation.pk).uses == 1
    assert OutboxEvent.objects.filter(name="cohort.joined").count() == 1


@pytest.mark.parametrize("spoil", ["revoked", "expired", "used_up", "forged"])
def test_a_link_that_no_longer_works_is_refused_and_changes_nothing(
    spoil, cohort, mentor, other_user, stopped_clock
):
    invitation = services.invitation_create(cohort=cohort, actor=mentor, max_uses=1)
    token = invitation.token
    if spoil == "revoked":
        services.invitation_revoke(invitation=invitation, actor=mentor)
    elif spoil == "expired":
        stopped_clock.shift(timedelta(days=15))
    elif spoil == "used_up":
        services.invitation_accept(token=token, user=UserFactory())
    else:
        token = invitation.key + ":" + "A" * 27
    before = (_state(), OutboxEvent.objects.count())

    with pytest.raises(ValidationError) as refusal:
        services.invitation_accept(token=token, user=other_user)

    assert refusal.value.message_dict["token"][0]
    assert (_state(), OutboxEvent.objects.count()) == before
    assert selectors.cohort_of(learner=other_user) is None


def test_invitations_refuse_a_past_or_distant_expiry_and_silly_limits(cohort, mentor):
    now = clock.now()
    for kwargs, field in [
        ({"expires_at": now - timedelta(minutes=1)}, "expires_at"),
        ({"expires_at": now + timedelta(days=400)}, "expires_at"),
        ({"max_uses": 0}, "max_uses"),
        ({"email": "not an address"}, "email"),
    ]:
        with pytest.raises(ValidationError) as refusal:
            services.invitation_create(cohort=cohort, actor=mentor, **kwargs)
        assert field in refusal.value.message_dict
    assert not CohortInvitation.objects.exists()


def test_an_email_invitation_sends_the_signed_link(
    cohort, mentor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            cohort=cohort, actor=mentor, email="New@Example.com"
        )
    (message,) = mailoutbox
    assert message.to == ["new@example.com"]
    assert f"/join/{invitation.token}/" in message.body
    assert cohort.name in message.subject


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers; no race to lose"
)
def test_max_uses_holds_when_two_people_accept_at_once(mentor):
    program = selectors.default_program()
    cohort = services.cohort_create(
        actor=mentor, program=program, name="Race", start_date=clock.today()
    )
    invitation = services.invitation_create(cohort=cohort, actor=mentor, max_uses=1)
    people = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []

    def accept(user):
        try:
            barrier.wait()
            services.invitation_accept(token=invitation.token, user=user)
            outcomes.append("joined")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    print(f"\nconcurrent accepts of a 1-use link: {sorted(outcomes)}")
    assert sorted(outcomes) == ["joined", "refused"]
    assert CohortInvitation.objects.get(pk=invitation.pk).uses == 1
    assert CohortMembership.objects.filter(cohort=cohort).count() == 1


def test_the_review_queue_holds_only_the_mentors_own_learners(
    learner, cohort, mentor, other_mentor, admin_user
):
    progress = selectors.progress_list(viewer=learner).first()
    services.progress_update(progress=progress, actor=learner, status=MilestoneStatus.SUBMITTED)
    assert list(selectors.review_queue(mentor=mentor)) == [progress]
    assert list(selectors.review_queue(mentor=other_mentor)) == []
    assert list(selectors.review_queue(mentor=admin_user)) == [progress]


def test_people_search_finds_by_name_or_email_and_skips_members(learner, cohort):
    found = UserFactory(display_name="Priya Patel", email="priya@example.org")
    assert selectors.people_search(query="PRIYA") == [found]
    assert selectors.people_search(query="example.org") == [found]
    assert selectors.people_search(query="p") == []
    assert learner not in selectors.people_search(query="Olivia", exclude_cohort=cohort)
