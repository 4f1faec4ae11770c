"""Cohorts over GraphQL: the same rules as REST, refusals as typed errors."""

import pytest
from rest_framework.test import APIClient

from nexus.accounts.models import Role
from nexus.journal import selectors, services
from nexus.journal.models import CohortInvitation
from tests.factories import UserFactory
from tests.journal.test_graphql import gql

COHORT = "query($id: ID!) { cohort(id: $id) { name mentors { displayName } members { learner { displayName } mentors { displayName } } invitations { state } } }"
INVITE = """
mutation($cohortId: ID!, $maxUses: Int) {
  createCohortInvitation(cohortId: $cohortId, maxUses: $maxUses) {
    invitation { token state uses } errors { field code }
  }
}"""
ACCEPT = """
mutation($token: String!) {
  acceptCohortInvitation(token: $token) { member { learner { displayName } } errors { field code } }
}"""
ASSIGN = """
mutation($cohortId: ID!, $userId: ID!, $m: ID!) {
  setLearnerMentors(cohortId: $cohortId, userId: $userId, mentorIds: [$m]) {
    member { mentors { displayName } } errors { field code }
  }
}"""


@pytest.fixture
def callers(learner, other_user, mentor, admin_user):
    return {
        "anonymous": None,
        "other_learner": other_user,
        "learner": learner,
        "other_mentor": UserFactory(role=Role.MENTOR),
        "mentor": mentor,
        "admin": admin_user,
    }


def _client(client_for, user):
    return APIClient() if user is None else client_for(user)


def test_who_sees_a_cohort_and_its_people(cohort, learner, callers, client_for):
    seen = {}
    for role, user in callers.items():
        data = gql(_client(client_for, user), COHORT, id=str(cohort.pk))["cohort"]
        seen[role] = None if data is None else data["members"] is not None
    assert seen == {
        "anonymous": None,
        "other_learner": None,
        "learner": False,
        "other_mentor": False,
        "mentor": True,
        "admin": True,
    }


def test_who_may_make_an_invite_link(cohort, callers, client_for):
    outcomes = {}
    for role, user in callers.items():
        response = _client(client_for, user).post(
            "/graphql/",
            {"query": INVITE, "variables": {"cohortId": str(cohort.pk)}},
            format="json",
        )
        body = response.json()
        if "errors" in body:
            outcomes[role] = "unauthenticated"
            continue
        result = body["data"]["createCohortInvitation"]
        outcomes[role] = result["errors"][0]["code"] if result["errors"] else "made"
    assert outcomes == {
        "anonymous": "unauthenticated",
        "other_learner": "not_found",
        "learner": "permission_denied",
        "other_mentor": "permission_denied",
        "mentor": "made",
        "admin": "made",
    }
    assert CohortInvitation.objects.count() == 2


def test_join_by_link_then_assign_a_mentor(cohort, mentor, admin_user, client_for):
    token = gql(client_for(mentor), INVITE, cohortId=str(cohort.pk), maxUses=1)[
        "createCohortInvitation"
    ]["invitation"]["token"]
    newcomer = UserFactory(display_name="Nia New")
    joined = gql(client_for(newcomer), ACCEPT, token=token)["acceptCohortInvitation"]
    assert joined == {"member": {"learner": {"displayName": "Nia New"}}, "errors": []}
    used_up = gql(client_for(UserFactory()), ACCEPT, token=token)["acceptCohortInvitation"]
    assert used_up["member"] is None
    assert [error["field"] for error in used_up["errors"]] == ["token"]

    assigned = gql(
        client_for(admin_user),
        ASSIGN,
        cohortId=str(cohort.pk),
        userId=str(newcomer.pk),
        m=str(mentor.pk),
    )["setLearnerMentors"]
    assert assigned["member"]["mentors"] == [{"displayName": mentor.display_name}]
    assert list(selectors.mentors_of(learner=newcomer)) == [mentor]


def test_a_bad_invitation_is_a_field_error_and_stores_nothing(cohort, mentor, client_for):
    result = gql(client_for(mentor), INVITE, cohortId=str(cohort.pk), maxUses=0)
    assert [e["field"] for e in result["createCohortInvitation"]["errors"]] == ["max_uses"]
    assert not CohortInvitation.objects.exists()


@pytest.mark.parametrize("extra", [1, 10])
def test_the_cohort_query_takes_the_same_queries_whatever_its_size(
    cohort, mentor, client_for, django_assert_max_num_queries, extra
):
    for _ in range(extra):
        membership = services.cohort_add_learner(actor=mentor, cohort=cohort, learner=UserFactory())
        services.membership_set_mentors(membership=membership, actor=mentor, mentors=[mentor])
        services.invitation_create(cohort=cohort, actor=mentor)
    client = client_for(mentor)
    with django_assert_max_num_queries(14) as captured:
        gql(client, COHORT, id=str(cohort.pk))
    print(f"\nGraphQL cohort with {extra} members and invitations: {len(captured)} queries")
