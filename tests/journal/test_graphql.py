"""The journal over GraphQL: programs, entry mutations with typed errors, milestone reviews."""

import pytest
from django.utils import timezone

from nexus.journal.models import Entry, MilestoneProgress
from tests.journal.conftest import write_entry

CREATE = """
mutation($data: EntryInput!) {
  createJournalEntry(data: $data) { entry { id bodyHtml topics visibility } errors { field code } }
}"""
UPDATE = """
mutation($id: ID!, $data: EntryChanges!) {
  updateJournalEntry(id: $id, data: $data) { entry { id body } errors { field code } }
}"""
REVIEW = """
mutation($id: ID!) {
  reviewMilestone(id: $id, approve: true, comment: "Good") { progress { status } errors { field } }
}"""


def gql(client, query, **variables):
    response = client.post("/graphql/", {"query": query, "variables": variables}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_programs_query_lists_months_and_milestones(api_client, program):
    data = gql(api_client, "{ programs { slug months { number milestones { number title } } } }")
    months = data["programs"][0]["months"]
    assert [len(m["milestones"]) for m in months] == [1, 2, 3, 0]


def test_create_entry_returns_the_entry(client_for, owner):
    data = gql(
        client_for(owner),
        CREATE,
        data={"date": str(timezone.localdate()), "body": "# Hi", "topics": ["docker"]},
    )["createJournalEntry"]
    assert data["errors"] == []
    assert data["entry"]["topics"] == ["docker"]
    assert ">Hi</h1>" in data["entry"]["bodyHtml"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"date": "2999-01-01"}, "date"), ({"minutesSpent": -1}, "minutes_spent")],
)
def test_create_entry_returns_typed_field_errors(client_for, owner, changes, field):
    data = {"date": str(timezone.localdate()), "body": "x", **changes}
    result = gql(client_for(owner), CREATE, data=data)["createJournalEntry"]
    assert result["entry"] is None
    assert [e["field"] for e in result["errors"]] == [field]
    assert Entry.objects.count() == 0


def test_anonymous_users_cannot_create_entries(api_client, db):
    response = api_client.post(
        "/graphql/",
        {"query": CREATE, "variables": {"data": {"date": "2026-01-01", "body": "x"}}},
        format="json",
    )
    assert response.json()["errors"]
    assert Entry.objects.count() == 0


@pytest.mark.parametrize("who", ["other_user", "mentor"])
def test_only_the_author_updates_an_entry(client_for, owner, request, who):
    entry = write_entry(owner, visibility="public", body="Mine")
    result = gql(client_for(request.getfixturevalue(who)), UPDATE, id=entry.pk, data={"body": "x"})
    assert result["updateJournalEntry"]["errors"][0]["code"] == "permission_denied"
    entry.refresh_from_db()
    assert entry.body == "Mine"


def test_updating_an_entry_the_user_cannot_see_is_not_found(client_for, owner, other_user):
    entry = write_entry(owner, visibility="private", body="Mine")
    result = gql(client_for(other_user), UPDATE, id=entry.pk, data={"body": "x"})
    assert result["updateJournalEntry"] == {
        "entry": None,
        "errors": [{"field": "id", "code": "not_found"}],
    }


def test_the_author_updates_an_entry(client_for, owner):
    entry = write_entry(owner)
    result = gql(client_for(owner), UPDATE, id=entry.pk, data={"body": "New"})
    assert result["updateJournalEntry"]["entry"]["body"] == "New"


def test_a_mentor_reviews_a_submitted_milestone(client_for, learner, mentor):
    progress = MilestoneProgress.objects.get(learner=learner, milestone__number=1)
    progress.status = "submitted"
    progress.save()
    assert gql(client_for(learner), REVIEW, id=progress.pk)["reviewMilestone"]["errors"]
    result = gql(client_for(mentor), REVIEW, id=progress.pk)["reviewMilestone"]
    assert result["progress"]["status"] == "done"


def test_milestone_progress_is_scoped_to_the_viewer(client_for, learner, other_user, mentor):
    query = "{ milestoneProgress { totalCount } }"
    assert gql(client_for(learner), query)["milestoneProgress"]["totalCount"] == 6
    assert gql(client_for(other_user), query)["milestoneProgress"]["totalCount"] == 0
    assert gql(client_for(mentor), query)["milestoneProgress"]["totalCount"] == 6


@pytest.mark.parametrize("count", [2, 10])
def test_listing_entries_takes_the_same_queries_whatever_their_number(
    client_for, owner, django_assert_max_num_queries, count
):
    for n in range(count):
        write_entry(owner, days_ago=n, topics=["django"])
    query = "{ journalEntries { results { id topics author { displayName } } } }"
    with django_assert_max_num_queries(4):
        data = gql(client_for(owner), query)
    assert len(data["journalEntries"]["results"]) == count
