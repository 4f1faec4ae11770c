"""Votes: one per user and item, changeable, never on your own post, exact under concurrency."""

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, close_old_connections, connection

from nexus.challenges import selectors, services
from nexus.challenges.models import ChallengeVote, ReputationEntry, Solution, SolutionVote
from tests.challenges.conftest import post_challenge, post_solution
from tests.factories import UserFactory


def test_voting_twice_is_idempotent(challenge, other_user):
    services.challenge_vote(challenge=challenge, user=other_user, value=1)
    voted = services.challenge_vote(challenge=challenge, user=other_user, value=1)

    assert voted.score == 1
    assert ChallengeVote.objects.filter(challenge=challenge).count() == 1


def test_a_vote_can_be_changed_and_taken_back(solution, owner):
    assert services.solution_vote(solution=solution, user=owner, value=1).score == 1
    assert services.solution_vote(solution=solution, user=owner, value=-1).score == -1
    assert services.solution_vote(solution=solution, user=owner, value=0).score == 0
    assert not SolutionVote.objects.filter(solution=solution).exists()
    assert not ReputationEntry.objects.exists()


def test_nobody_votes_on_their_own_post(challenge, solution, owner, other_user):
    with pytest.raises(PermissionDenied):
        services.challenge_vote(challenge=challenge, user=owner, value=1)
    with pytest.raises(PermissionDenied):
        services.solution_vote(solution=solution, user=other_user, value=1)
    assert not ChallengeVote.objects.exists()


def test_a_vote_must_be_one_minus_one_or_zero(challenge, other_user):
    with pytest.raises(ValidationError) as error:
        services.challenge_vote(challenge=challenge, user=other_user, value=2)
    assert "value" in error.value.message_dict


def test_votes_earn_the_documented_reputation(challenge, solution, owner, other_user, mentor):
    services.challenge_vote(challenge=challenge, user=other_user, value=1)  # owner +5
    services.challenge_vote(challenge=challenge, user=mentor, value=-1)  # owner -2
    services.solution_vote(solution=solution, user=owner, value=1)  # other +10
    services.solution_vote(solution=solution, user=mentor, value=1)  # other +10
    services.solution_accept(challenge=challenge, solution=solution, actor=owner)  # other +15

    assert selectors.reputation_of(user=owner) == 3
    assert selectors.reputation_of(user=other_user) == 35
    assert selectors.reputation_of(user=mentor) == 0


def test_leaderboard_ranks_by_points_per_technology(python_tech, docker_tech, owner, mentor):
    python_challenge = post_challenge(owner, technologies=["python"])
    docker_challenge = post_challenge(
        owner, title="Docker image will not build", technologies=["docker"]
    )
    alice, bob = UserFactory(display_name="Alice"), UserFactory(display_name="Bob")
    services.solution_vote(solution=post_solution(python_challenge, alice), user=mentor, value=1)
    bob_answer = post_solution(docker_challenge, bob)
    services.solution_vote(solution=bob_answer, user=mentor, value=1)
    services.solution_accept(challenge=docker_challenge, solution=bob_answer, actor=owner)

    overall = selectors.leaderboard()
    python_board = selectors.leaderboard(technology=python_tech)

    assert [(row.user.display_name, row.points) for row in overall] == [("Bob", 25), ("Alice", 10)]
    assert [(row.user.display_name, row.points) for row in python_board] == [("Alice", 10)]


def _run_in_threads(work, count):
    barrier = threading.Barrier(count)
    errors = []

    def run(index):
        try:
            barrier.wait()
            work(index)
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _vote_with_retry(vote):
    """SQLite serialises writers with a database-wide lock and may answer "locked": retry then.
    PostgreSQL queues the votes on the item's row lock and must never need this."""
    for attempt in range(200):
        try:
            return vote()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.005 * (attempt % 10 + 1))
    raise AssertionError("still locked after 200 attempts")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("many_threads_queue_for_the_pool")
def test_concurrent_votes_leave_the_exact_score():
    author = UserFactory()
    challenge = post_challenge(author)
    solution = post_solution(challenge, UserFactory())
    count = 24 if connection.vendor == "postgresql" else 6
    voters = [UserFactory() for _ in range(count)]
    # Even voters vote up, odd ones down; every third also flips its solution vote and back.
    expected = sum(1 if i % 2 == 0 else -1 for i in range(count))

    def vote(index):
        # Two threads per voter cast the same votes at once: still one row each, counted once.
        index %= count
        value = 1 if index % 2 == 0 else -1
        user = voters[index]
        _vote_with_retry(
            lambda: services.challenge_vote(challenge=challenge, user=user, value=value)
        )
        _vote_with_retry(lambda: services.solution_vote(solution=solution, user=user, value=value))
        if index % 3 == 0:
            _vote_with_retry(
                lambda: services.solution_vote(solution=solution, user=user, value=-value)
            )
            _vote_with_retry(
                lambda: services.solution_vote(solution=solution, user=user, value=value)
            )

    errors = _run_in_threads(vote, count * 2)

    assert errors == []
    challenge.refresh_from_db()
    solution = Solution.objects.get(pk=solution.pk)
    assert challenge.score == expected
    assert solution.score == expected
    assert ChallengeVote.objects.filter(challenge=challenge).count() == count
    assert SolutionVote.objects.filter(solution=solution).count() == count
    ups, downs = (count + 1) // 2, count // 2
    assert selectors.reputation_of(user=solution.author) == ups * 10 - downs * 2
    assert selectors.reputation_of(user=author) == ups * 5 - downs * 2
