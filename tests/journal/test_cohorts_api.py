"""The cohorts REST API: /api/v1/cohorts/ and its members, mentors and invitations, and
POST /api/v1/invitations/{token}/accept/, as every kind of caller."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from nexus.accounts.models import Role
from nexus.core import clock
from nexus.journal import selectors, services
from nexus.journal.models import CohortInvitation, CohortMembership
from tests.factories import UserFactory

COHORTS = "/api/v1/cohorts/"


@pytest.fixture
def other_mentor(db):
    return UserFactory(display_name="Mo Other-Mentor", role=Role.MENTOR)


@pytest.fixture
def callers(learner, other_user, other_mentor, mentor, admin_user):
    """Who asks: nobody, a learner outside the cohort, its learner, a mentor of another cohort,
    the cohort's mentor, an admin."""
    return {
        "anonymous": None,
        "other_learner": other_user,
        "learner": learner,
        "other_mentor": other_mentor,
        "mentor": mentor,
        "admin": admin_user,
    }


def _client(client_for, user):
    return APIClient() if user is None else client_for(user)


# (method, path, body, who succeeds, the success status)
def _rows(cohort, learner, mentor):
    base = f"{COHORTS}{cohort.pk}/"
    return [
        ("get", base, None, {"learner", "other_mentor", "mentor", "admin"}, 200),
        ("patch", base, {"description": "New words"}, {"mentor", "admin"}, 200),
        ("get", f"{base}mentors/", None, {"learner", "other_mentor", "mentor", "admin"}, 200),
        ("put", f"{base}mentors/", {"mentors": [mentor.pk]}, {"mentor", "admin"}, 200),
        ("get", f"{base}members/", None, {"mentor", "admin"}, 200),
        ("put", f"{base}members/{learner.pk}/", {"mentors": [mentor.pk]}, {"mentor", "admin"}, 200),
        ("get", f"{base}invitations/", None, {"mentor", "admin"}, 200),
        ("post", f"{base}invitations/", {"max_uses": 2}, {"mentor", "admin"}, 201),
    ]


def test_every_caller_gets_what_the_table_says(cohort, learner, mentor, callers, client_for):
    for method, path, body, allowed, success in _rows(cohort, learner, mentor):
        for role, user in callers.items():
            # Those who may write send If-Match (a cohort is a conditional resource); a refusal
            # comes before the precondition, so the others send none.
            headers = {"HTTP_IF_MATCH": "*"} if method == "patch" and role in allowed else {}
            client = _client(client_for, user)
            response = getattr(client, method)(path, body, format="json", **headers)
            if role in allowed:
                assert response.status_code == success, (method, path, role, response.content)
            elif user is None:
                assert response.status_code == 401, (method, path, role)
            else:
                assert response.status_code in (403, 404), (
                    method,
                    path,
                    role,
                    response.status_code,
                )


def test_cohort_list_shows_learners_only_their_own(cohort, learner, other_user, client_for):
    assert [c["id"] for c in client_for(learner).get(COHORTS).json()["results"]] == [cohort.pk]
    assert client_for(other_user).get(COHORTS).json()["results"] == []
    assert APIClient().get(COHORTS).status_code == 401


def test_mentors_and_admins_start_cohorts_and_learners_do_not(
    mentor, other_user, client_for, program
):
    body = {"name": "Spring 2027", "start_date": str(clock.today()), "program": program.slug}
    assert client_for(other_user).post(COHORTS, body, format="json").status_code == 403
    response = client_for(mentor).post(COHORTS, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["mentors"] == [{"id": mentor.pk, "display_name": mentor.display_name}]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "start_date": "2027-01-01"}, "name"),
        ({"name": "X", "start_date": "soon"}, "start_date"),
        ({"name": "X", "start_date": "2027-01-01", "program": "nope"}, "program"),
        ({"name": "X", "start_date": "2027-01-01", "mentors": [999999]}, "mentors"),
        ({"name": "X", "start_date": "2027-01-01", "colour": "red"}, "colour"),
        ({"name": "Autumn cohort", "start_date": "2027-01-01"}, "name"),
    ],
)
def test_bad_cohorts_are_400_with_the_field_named(body, field, mentor, client_for, cohort):
    response = client_for(mentor).post(COHORTS, body, format="json")
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"max_uses": 0}, "max_uses"),
        ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"email": "nobody"}, "email"),
        ({"uses": 5}, "uses"),
    ],
)
def test_bad_invitations_are_400_and_store_nothing(body, field, cohort, mentor, client_for):
    response = client_for(mentor).post(f"{COHORTS}{cohort.pk}/invitations/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in {error["field"] for error in response.json()["errors"]}
    assert not CohortInvitation.objects.exists()


def test_an_invite_link_made_by_the_api_lets_a_newcomer_join(cohort, mentor, client_for):
    made = client_for(mentor).post(
        f"{COHORTS}{cohort.pk}/invitations/", {"max_uses": 1}, format="json"
    )
    invitation = made.json()
    assert invitation["state"] == "open"
    assert invitation["url"] == f"/join/{invitation['token']}/"
    newcomer = UserFactory()

    accepted = client_for(newcomer).post(f"/api/v1/invitations/{invitation['token']}/accept/")
    again = client_for(newcomer).post(f"/api/v1/invitations/{invitation['token']}/accept/")
    third = client_for(UserFactory()).post(f"/api/v1/invitations/{invitation['token']}/accept/")

    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["cohort"] == cohort.pk
    assert again.status_code == 200
    assert third.status_code == 400
    assert third.json()["errors"][0]["field"] == "token"
    assert CohortInvitation.objects.get().uses == 1


def test_a_forged_or_mangled_token_is_a_clear_error(client_for, other_user, cohort, mentor):
    invitation = services.invitation_create(cohort=cohort, actor=mentor)
    forged = client_for(other_user).post(f"/api/v1/invitations/{invitation.key}:AAAA/accept/")
    mangled = client_for(other_user).post("/api/v1/invitations/not-a-token/accept/")
    assert forged.status_code == 400
    assert forged.json()["errors"][0]["field"] == "token"
    assert mangled.status_code == 404
    assert selectors.cohort_of(learner=other_user) is None


def test_revoking_and_removing_through_the_api(cohort, learner, mentor, client_for):
    invitation = services.invitation_create(cohort=cohort, actor=mentor)
    client = client_for(mentor)
    assert client.delete(f"{COHORTS}{cohort.pk}/invitations/{invitation.pk}/").status_code == 204
    assert CohortInvitation.objects.get().revoked_at is not None
    assert client.delete(f"{COHORTS}{cohort.pk}/members/{learner.pk}/").status_code == 204
    assert CohortMembership.objects.get(learner=learner).left_at is not None
    assert client.delete(f"{COHORTS}{cohort.pk}/members/{learner.pk}/").status_code == 404


def test_archiving_through_patch_hides_the_cohort_from_the_live_list(cohort, mentor, client_for):
    client = client_for(mentor)
    response = client.patch(
        f"{COHORTS}{cohort.pk}/", {"archived": True}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.json()["archived_at"] is not None
    assert client.get(f"{COHORTS}?archived=false").json()["results"] == []
    assert len(client.get(f"{COHORTS}?archived=true").json()["results"]) == 1
    assert client.get(f"{COHORTS}?archived=maybe").status_code == 400


def test_adding_a_member_by_id_through_the_api(cohort, mentor, other_user, client_for):
    response = client_for(mentor).post(
        f"{COHORTS}{cohort.pk}/members/", {"user": other_user.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert selectors.cohort_of(learner=other_user) == cohort
    missing = client_for(mentor).post(
        f"{COHORTS}{cohort.pk}/members/", {"user": 99999999}, format="json"
    )
    assert missing.status_code == 400


@pytest.mark.parametrize("extra", [1, 12])
def test_member_and_invitation_lists_take_the_same_queries_whatever_their_length(
    cohort, mentor, client_for, django_assert_max_num_queries, extra
):
    second = UserFactory(role=Role.MENTOR)
    services.cohort_set_mentors(cohort=cohort, actor=mentor, mentors=[mentor, second])
    for _ in range(extra):
        membership = services.cohort_add_learner(actor=mentor, cohort=cohort, learner=UserFactory())
        services.membership_set_mentors(membership=membership, actor=mentor, mentors=[second])
        services.invitation_create(
            cohort=cohort, actor=mentor, expires_at=clock.now() + timedelta(days=2)
        )
    client = client_for(mentor)
    for path in ("members/", "invitations/", "mentors/", ""):
        with django_assert_max_num_queries(12) as captured:
            response = client.get(f"{COHORTS}{cohort.pk}/{path}")
        assert response.status_code == 200
        print(f"\nGET cohorts/{{id}}/{path} with {extra} rows: {len(captured)} queries")
    with django_assert_max_num_queries(12):
        assert client.get(COHORTS).status_code == 200
