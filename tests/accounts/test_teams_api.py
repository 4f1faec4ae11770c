import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexus.accounts.models import TeamMembership, TeamRole
from nexus.accounts.services import team_create, team_member_set
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_creator_of_a_team_becomes_its_owner(client_for, owner):
    response = client_for(owner).post("/api/v1/teams/", {"name": "Payments Squad"})
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "payments-squad"
    assert [(m["user"]["id"], m["role"]) for m in body["members"]] == [(owner.pk, "owner")]


def test_anonymous_users_cannot_create_teams(api_client):
    assert api_client.post("/api/v1/teams/", {"name": "X"}).status_code == 401


def test_team_names_are_required_and_unknown_fields_refused(client_for, owner):
    response = client_for(owner).post("/api/v1/teams/", {"name": ""})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"
    response = client_for(owner).post("/api/v1/teams/", {"name": "A", "colour": "red"})
    assert response.json()["errors"][0]["field"] == "colour"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("other_user", 403), ("mentor", 403), ("admin_user", 200)],
)
def test_only_owners_and_admins_add_members(request, client_for, owner, who, expected):
    team = team_create(creator=owner, name="Web")
    newcomer = UserFactory()
    actor = request.getfixturevalue(who)
    response = client_for(actor).post(
        f"/api/v1/teams/{team.slug}/members/", {"user": newcomer.pk, "role": "frontend"}
    )
    assert response.status_code == expected
    assert TeamMembership.objects.filter(team=team, user=newcomer).exists() == (expected == 200)


def test_the_last_owner_cannot_leave_or_be_demoted(client_for, owner):
    team = team_create(creator=owner, name="Web")
    client = client_for(owner)
    assert client.delete(f"/api/v1/teams/{team.slug}/members/{owner.pk}/").status_code == 400
    response = client.post(
        f"/api/v1/teams/{team.slug}/members/", {"user": owner.pk, "role": "backend"}
    )
    assert response.status_code == 400
    assert TeamMembership.objects.get(team=team, user=owner).role == TeamRole.OWNER


def test_a_member_can_be_removed(client_for, owner, other_user):
    team = team_create(creator=owner, name="Web")
    team_member_set(actor=owner, team=team, user=other_user, role="backend")
    assert (
        client_for(owner).delete(f"/api/v1/teams/{team.slug}/members/{other_user.pk}/").status_code
        == 204
    )
    assert not TeamMembership.objects.filter(team=team, user=other_user).exists()


def test_an_unknown_role_is_a_field_error(client_for, owner, other_user):
    team = team_create(creator=owner, name="Web")
    response = client_for(owner).post(
        f"/api/v1/teams/{team.slug}/members/", {"user": other_user.pk, "role": "boss"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "role"


@pytest.mark.parametrize("count", [1, 15])
def test_listing_teams_takes_constant_queries(api_client, owner, count):
    for index in range(count):
        team = team_create(creator=owner, name=f"Team {index}")
        team_member_set(actor=owner, team=team, user=UserFactory(), role="frontend")
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/teams/?page_size=50")
    assert len(response.json()["results"]) == count
    assert len(queries) <= 2


def test_teams_pages_create_a_team_and_add_a_member(owner, other_user):
    from django.test import Client

    client = Client()
    client.force_login(owner)
    response = client.post("/accounts/teams/", {"name": "Web Squad"})
    assert response["Location"] == "/accounts/teams/web-squad/"
    page = client.post(
        "/accounts/teams/web-squad/", {"email": "nobody@example.com", "role": "frontend"}
    )
    assert 'data-field="email"' in page.content.decode()
    client.post("/accounts/teams/web-squad/", {"email": other_user.email, "role": "frontend"})
    assert TeamMembership.objects.get(user=other_user).role == "frontend"
    outsider = Client()
    outsider.force_login(other_user)
    assert (
        outsider.post(
            "/accounts/teams/web-squad/", {"email": owner.email, "role": "backend"}
        ).status_code
        == 403
    )
    assert "Web Squad" in Client().get("/accounts/teams/").content.decode()
