"""Private entries are the author's; "mentors" adds mentors and admins; public is everyone's.

Checked at every front door: REST (list and detail), GraphQL (list and by id), web pages.
"""

import pytest
from django.test import Client

from tests.journal.conftest import write_entry

# Which entries each viewer sees, by visibility.
EXPECTED = {
    None: {"public"},
    "other_user": {"public"},
    "owner": {"private", "mentors", "public"},
    "mentor": {"mentors", "public"},
    "admin_user": {"mentors", "public"},
}
VIEWERS = list(EXPECTED)


def viewer_of(request, name):
    return None if name is None else request.getfixturevalue(name)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_rest_list_and_detail_show_only_what_the_viewer_may_see(
    request, api_client, client_for, entries_of_every_visibility, viewer
):
    user = viewer_of(request, viewer)
    client = client_for(user) if user else api_client
    listed = client.get("/api/v1/journal/entries/").json()["results"]
    assert {entry["visibility"] for entry in listed} == EXPECTED[viewer]
    for visibility, entry in entries_of_every_visibility.items():
        status = client.get(f"/api/v1/journal/entries/{entry.pk}/").status_code
        assert status == (200 if visibility in EXPECTED[viewer] else 404), visibility


GRAPHQL_LIST = "{ journalEntries { results { id visibility body } } }"
GRAPHQL_ONE = "query($id: ID!) { journalEntry(id: $id) { id visibility } }"


@pytest.mark.parametrize("viewer", VIEWERS)
def test_graphql_shows_only_what_the_viewer_may_see(
    request, api_client, client_for, entries_of_every_visibility, viewer
):
    user = viewer_of(request, viewer)
    client = client_for(user) if user else api_client
    response = client.post("/graphql/", {"query": GRAPHQL_LIST}, format="json")
    data = response.json()
    assert "errors" not in data, data
    listed = data["data"]["journalEntries"]["results"]
    assert {entry["visibility"] for entry in listed} == EXPECTED[viewer]
    for visibility, entry in entries_of_every_visibility.items():
        one = client.post(
            "/graphql/", {"query": GRAPHQL_ONE, "variables": {"id": entry.pk}}, format="json"
        ).json()["data"]["journalEntry"]
        assert (one is not None) == (visibility in EXPECTED[viewer]), visibility


@pytest.mark.parametrize("viewer", VIEWERS)
def test_pages_show_only_what_the_viewer_may_see(
    request, owner, entries_of_every_visibility, viewer
):
    user = viewer_of(request, viewer)
    client = Client()
    if user:
        client.force_login(user)
    page = client.get(f"/journal/people/{owner.pk}/").content.decode()
    for visibility, entry in entries_of_every_visibility.items():
        assert (f"A {visibility} entry" in page) == (visibility in EXPECTED[viewer]), visibility
        status = client.get(f"/journal/entries/{entry.pk}/").status_code
        assert status == (200 if visibility in EXPECTED[viewer] else 404), visibility


def test_private_reflections_stay_private(client_for, owner, other_user, mentor):
    from django.utils import timezone

    from nexus.journal import services

    month = timezone.localdate().replace(day=1)
    services.reflection_save(author=owner, month=month, went_well="secret", visibility="private")
    url = "/api/v1/journal/reflections/"
    assert client_for(owner).get(url).json()["results"][0]["went_well"] == "secret"
    assert client_for(other_user).get(url).json()["results"] == []
    assert client_for(mentor).get(url).json()["results"] == []


def test_a_learner_never_sees_anothers_private_entries_in_a_month_view(
    client_for, owner, other_user
):
    write_entry(owner, body="Owner's private notes")
    client = Client()
    client.force_login(other_user)
    assert "Owner's private notes" not in client.get("/journal/").content.decode()
    assert (
        "Owner's private notes" not in client.get(f"/journal/people/{owner.pk}/").content.decode()
    )
