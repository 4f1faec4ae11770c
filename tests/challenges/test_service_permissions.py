"""Challenges' services refuse whom their policies refuse, and say why, whichever door calls them."""

import pytest

from nexus.challenges import services
from nexus.challenges.models import (
    Challenge,
    ChallengeStatus,
    ChallengeVote,
    Comment,
    ReputationEntry,
    Solution,
    SolutionVote,
)
from tests.challenges.conftest import post_challenge, post_solution
from tests.factories import UserFactory
from tests.refusals import assert_refused

pytestmark = pytest.mark.django_db


def _challenge_state(challenge):
    return Challenge.objects.values().get(pk=challenge.pk), ReputationEntry.objects.count()


def posting_as_an_inactive_account(owner, other_user, mentor):
    inactive = UserFactory(is_active=False)
    return lambda: post_challenge(inactive), lambda: Challenge.objects.count()


def editing_someone_elses_challenge(owner, other_user, mentor):
    challenge = post_challenge(owner)
    return (
        lambda: services.challenge_update(challenge=challenge, actor=other_user, body="Mine now"),
        lambda: _challenge_state(challenge),
    )


def closing_someone_elses_challenge(owner, other_user, mentor):
    challenge = post_challenge(owner)
    return (
        lambda: services.challenge_set_status(
            challenge=challenge, actor=other_user, status=ChallengeStatus.CLOSED
        ),
        lambda: _challenge_state(challenge),
    )


def marking_a_duplicate_as_a_learner(owner, other_user, mentor):
    first = post_challenge(owner)
    second = post_challenge(owner, title="The same problem, asked again")
    return (
        lambda: services.challenge_set_status(
            challenge=second, actor=owner, status=ChallengeStatus.DUPLICATE, duplicate_of=first
        ),
        lambda: _challenge_state(second),
    )


def reopening_a_duplicate_as_its_author(owner, other_user, mentor):
    first = post_challenge(owner)
    second = post_challenge(owner, title="The same problem, asked again")
    services.challenge_set_status(
        challenge=second, actor=mentor, status=ChallengeStatus.DUPLICATE, duplicate_of=first
    )
    return (
        lambda: services.challenge_set_status(
            challenge=second, actor=owner, status=ChallengeStatus.OPEN
        ),
        lambda: _challenge_state(second),
    )


def answering_as_an_inactive_account(owner, other_user, mentor):
    challenge = post_challenge(owner)
    inactive = UserFactory(is_active=False)
    return lambda: post_solution(challenge, inactive), lambda: Solution.objects.count()


def editing_someone_elses_solution(owner, other_user, mentor):
    solution = post_solution(post_challenge(owner), other_user)
    return (
        lambda: services.solution_update(solution=solution, actor=owner, body="Rewritten"),
        lambda: Solution.objects.values().get(pk=solution.pk),
    )


def voting_on_ones_own_challenge(owner, other_user, mentor):
    challenge = post_challenge(owner)
    return (
        lambda: services.challenge_vote(challenge=challenge, user=owner, value=1),
        lambda: (ChallengeVote.objects.count(), _challenge_state(challenge)),
    )


def voting_on_ones_own_solution(owner, other_user, mentor):
    solution = post_solution(post_challenge(owner), other_user)
    return (
        lambda: services.solution_vote(solution=solution, user=other_user, value=1),
        lambda: (SolutionVote.objects.count(), Solution.objects.values().get(pk=solution.pk)),
    )


def accepting_on_someone_elses_challenge(owner, other_user, mentor):
    challenge = post_challenge(owner)
    solution = post_solution(challenge, other_user)
    return (
        lambda: services.solution_accept(challenge=challenge, solution=solution, actor=other_user),
        lambda: _challenge_state(challenge),
    )


def unaccepting_on_someone_elses_challenge(owner, other_user, mentor):
    challenge = post_challenge(owner)
    solution = post_solution(challenge, other_user)
    services.solution_accept(challenge=challenge, solution=solution, actor=owner)
    return (
        lambda: services.solution_unaccept(challenge=challenge, actor=other_user),
        lambda: _challenge_state(challenge),
    )


def commenting_as_an_inactive_account(owner, other_user, mentor):
    challenge = post_challenge(owner)
    inactive = UserFactory(is_active=False)
    return (
        lambda: services.comment_create(challenge=challenge, author=inactive, body="Hello"),
        lambda: Comment.objects.count(),
    )


@pytest.mark.parametrize(
    "case",
    [
        posting_as_an_inactive_account,
        editing_someone_elses_challenge,
        closing_someone_elses_challenge,
        marking_a_duplicate_as_a_learner,
        reopening_a_duplicate_as_its_author,
        answering_as_an_inactive_account,
        editing_someone_elses_solution,
        voting_on_ones_own_challenge,
        voting_on_ones_own_solution,
        accepting_on_someone_elses_challenge,
        unaccepting_on_someone_elses_challenge,
        commenting_as_an_inactive_account,
    ],
    ids=lambda case: case.__name__,
)
def test_a_service_refuses_what_its_policy_refuses(case, owner, other_user, mentor):
    assert_refused(*case(owner, other_user, mentor))
