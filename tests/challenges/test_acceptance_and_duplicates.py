"""Accepting a solution (author or mentor, changeable, one per challenge) and duplicates."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from nexus.challenges import selectors, services
from nexus.challenges.models import Challenge, ChallengeStatus
from nexus.core.models import OutboxEvent
from tests.challenges.conftest import post_challenge, post_solution


def test_the_author_accepts_and_the_challenge_is_solved(challenge, solution, owner):
    services.solution_accept(challenge=challenge, solution=solution, actor=owner)

    challenge.refresh_from_db()
    assert challenge.accepted_solution_id == solution.pk
    assert challenge.status == ChallengeStatus.SOLVED
    assert challenge.solved_at is not None
    event = OutboxEvent.objects.get(name="solution.accepted")
    assert event.payload["recipient_ids"] == [solution.author_id]


def test_acceptance_can_move_to_another_solution_and_back_out(challenge, solution, owner, mentor):
    second = post_solution(challenge, mentor, body="Or run the checker's Docker image locally.")
    services.solution_accept(challenge=challenge, solution=solution, actor=owner)
    services.solution_accept(challenge=challenge, solution=second, actor=owner)

    challenge.refresh_from_db()
    assert challenge.accepted_solution_id == second.pk
    assert selectors.reputation_of(user=solution.author) == 0
    assert selectors.reputation_of(user=mentor) == 15

    services.solution_unaccept(challenge=challenge, actor=owner)
    challenge.refresh_from_db()
    assert challenge.accepted_solution_id is None
    assert challenge.status == ChallengeStatus.OPEN
    assert selectors.reputation_of(user=mentor) == 0


def test_a_mentor_may_accept_but_another_learner_may_not(challenge, solution, mentor, other_user):
    with pytest.raises(PermissionDenied):
        services.solution_accept(challenge=challenge, solution=solution, actor=other_user)
    services.solution_accept(challenge=challenge, solution=solution, actor=mentor)
    assert Challenge.objects.get(pk=challenge.pk).accepted_solution_id == solution.pk


def test_a_solution_of_another_challenge_cannot_be_accepted(challenge, owner, other_user):
    elsewhere = post_solution(post_challenge(other_user, title="Another problem entirely"), owner)
    with pytest.raises(ValidationError) as error:
        services.solution_accept(challenge=challenge, solution=elsewhere, actor=owner)
    assert "solution" in error.value.message_dict
    assert Challenge.objects.get(pk=challenge.pk).accepted_solution_id is None


def test_the_database_refuses_one_solution_accepted_for_two_challenges(challenge, solution):
    other = post_challenge(challenge.author, title="A second challenge to attach")
    Challenge.objects.filter(pk=challenge.pk).update(accepted_solution=solution)
    with pytest.raises(IntegrityError), transaction.atomic():
        Challenge.objects.filter(pk=other.pk).update(accepted_solution=solution)


def test_self_accepted_answers_earn_no_points(challenge, owner):
    own = post_solution(challenge, owner, body="Found it myself: the checker runs Python 3.8.")
    services.solution_accept(challenge=challenge, solution=own, actor=owner)
    assert selectors.reputation_of(user=owner) == 0


def test_a_mentor_marks_a_duplicate_that_points_to_the_canonical_one(owner, mentor):
    canonical = post_challenge(owner, title="Checker fails on a project that works")
    copy = post_challenge(owner, title="Checker says fail, my machine says pass")

    services.challenge_set_status(
        challenge=copy, actor=mentor, status=ChallengeStatus.DUPLICATE, duplicate_of=canonical
    )

    copy.refresh_from_db()
    assert copy.status == ChallengeStatus.DUPLICATE
    assert copy.duplicate_of_id == canonical.pk


def test_learners_cannot_mark_duplicates(owner, other_user):
    first, second = post_challenge(owner), post_challenge(owner, title="Some other problem here")
    with pytest.raises(PermissionDenied):
        services.challenge_set_status(
            challenge=second, actor=owner, status=ChallengeStatus.DUPLICATE, duplicate_of=first
        )


def test_a_challenge_is_not_a_duplicate_of_itself(challenge, mentor):
    with pytest.raises(ValidationError) as error:
        services.challenge_set_status(
            challenge=challenge,
            actor=mentor,
            status=ChallengeStatus.DUPLICATE,
            duplicate_of=challenge,
        )
    assert "duplicate_of" in error.value.message_dict


def test_duplicate_cycles_are_refused(owner, mentor):
    a, b, c = (post_challenge(owner, title=f"Cycle member number {n}") for n in range(3))
    services.challenge_set_status(challenge=a, actor=mentor, status="duplicate", duplicate_of=b)
    services.challenge_set_status(challenge=b, actor=mentor, status="duplicate", duplicate_of=c)

    with pytest.raises(ValidationError) as error:
        services.challenge_set_status(challenge=c, actor=mentor, status="duplicate", duplicate_of=a)

    assert "duplicate_of" in error.value.message_dict
    assert Challenge.objects.get(pk=c.pk).duplicate_of_id is None


def test_reopening_a_duplicate_clears_the_pointer(owner, mentor):
    a, b = post_challenge(owner), post_challenge(owner, title="Another one to point at")
    services.challenge_set_status(challenge=a, actor=mentor, status="duplicate", duplicate_of=b)
    services.challenge_set_status(challenge=a, actor=mentor, status="open")
    a.refresh_from_db()
    assert (a.status, a.duplicate_of_id) == ("open", None)


def test_solved_cannot_be_set_by_hand(challenge, owner):
    with pytest.raises(ValidationError):
        services.challenge_set_status(challenge=challenge, actor=owner, status="solved")


def test_a_solved_challenge_stays_solved_when_asked_to_close(challenge, solution, owner):
    services.solution_accept(challenge=challenge, solution=solution, actor=owner)

    with pytest.raises(ValidationError) as refused:
        services.challenge_set_status(challenge=challenge, actor=owner, status="closed")

    assert "status" in refused.value.message_dict
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.SOLVED
    assert not OutboxEvent.objects.filter(name="challenge.status_changed").exists()
