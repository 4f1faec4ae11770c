"""GraphQL: challenges mirror the REST resource; mutations return the object or typed errors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.challenges import services
from nexus.challenges.models import Challenge
from tests.challenges.conftest import post_challenge, post_solution
from tests.core.test_graphql import bearer, graphql
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = """{ challenges(pagination: {limit: %d}) { totalCount results {
  id title status score acceptedSolution technologies tags author { displayName }
  solutions { id score isAccepted author { displayName } } } } }"""
SUMMARIES = """{ challenges(pagination: {limit: %d}) { totalCount results {
  id title excerpt status score answerCount acceptedSolution duplicateOf technologies tags
  author { id displayName } createdAt solvedAt } } }"""


def test_challenges_query_mirrors_the_rest_fields(client, python_tech, owner, other_user):
    challenge = post_challenge(owner, technologies=["python"], tags=["ci"])
    solution = post_solution(challenge, other_user)
    services.solution_accept(challenge=challenge, solution=solution, actor=owner)

    body = graphql(client, LIST % 10).json()

    result = body["data"]["challenges"]["results"][0]
    assert result["status"] == "solved"
    assert result["acceptedSolution"] == str(solution.pk)
    assert (result["technologies"], result["tags"]) == (["python"], ["ci"])
    assert result["solutions"] == [
        {
            "id": str(solution.pk),
            "score": 0,
            "isAccepted": True,
            "author": {"displayName": "Oscar Other"},
        }
    ]


def test_challenges_query_takes_the_same_few_queries_at_every_page_size(client, python_tech):
    for n in range(100):
        challenge = post_challenge(
            UserFactory(), title=f"GraphQL problem {n}", technologies=["python"], tags=["ci"]
        )
        post_solution(challenge, UserFactory())
    counts: dict[str, list[int]] = {"list": [], "with solutions": []}
    for limit in (10, 50, 100):
        for shape, query in (("list", SUMMARIES), ("with solutions", LIST)):
            with CaptureQueriesContext(connection) as queries:
                body = graphql(client, query % limit).json()
            assert len(body["data"]["challenges"]["results"]) == limit
            counts[shape].append(len(queries))
    # The count, the page, technologies, tags and authors; solutions and their authors add two.
    assert counts["list"] == [5, 5, 5], counts
    assert counts["with solutions"] == [7, 7, 7], counts


def test_create_challenge_returns_field_errors(client, owner):
    mutation = """mutation { createChallenge(title: "short", body: "") {
      challenge { id } errors { field code } } }"""
    body = graphql(client, mutation, **bearer(owner)).json()
    fields = {e["field"] for e in body["data"]["createChallenge"]["errors"]}
    assert fields == {"title", "body"}
    assert not Challenge.objects.exists()


VOTE = """mutation ($id: ID!, $value: Int!) {
  voteChallenge(id: $id, value: $value) { challenge { score } errors { code } } }"""
ACCEPT = """mutation ($challenge: ID!, $solution: ID) {
  acceptSolution(challengeId: $challenge, solutionId: $solution) {
    challenge { status acceptedSolution } errors { code } } }"""


def test_vote_and_accept_mutations(client, challenge, solution, owner, other_user):
    vote = {"id": challenge.pk, "value": 1}
    own_vote = graphql(client, VOTE, vote, **bearer(owner)).json()
    assert own_vote["data"]["voteChallenge"]["errors"] == [{"code": "permission_denied"}]
    voted = graphql(client, VOTE, vote, **bearer(other_user)).json()
    assert voted["data"]["voteChallenge"]["challenge"]["score"] == 1

    pair = {"challenge": challenge.pk, "solution": solution.pk}
    refused = graphql(client, ACCEPT, pair, **bearer(other_user)).json()
    assert refused["data"]["acceptSolution"]["errors"] == [{"code": "permission_denied"}]
    accepted = graphql(client, ACCEPT, pair, **bearer(owner)).json()["data"]["acceptSolution"]
    assert accepted == {
        "challenge": {"status": "solved", "acceptedSolution": str(solution.pk)},
        "errors": [],
    }
    undone = graphql(client, ACCEPT, {"challenge": challenge.pk}, **bearer(owner)).json()
    assert undone["data"]["acceptSolution"]["challenge"]["status"] == "open"


def test_similar_challenges_query(client, owner):
    post_challenge(owner, title="Checker fails for my Django project")
    body = graphql(
        client, '{ similarChallenges(text: "django checker") { similarity challenge { title } } }'
    ).json()
    assert body["data"]["similarChallenges"][0]["challenge"]["title"].startswith("Checker fails")


def test_mutations_need_a_signed_in_user(client, challenge):
    body = graphql(client, VOTE, {"id": challenge.pk, "value": 1}).json()
    assert body["data"] is None
