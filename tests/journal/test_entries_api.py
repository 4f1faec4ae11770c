"""The worklog entry API: writes, validation, permissions, filters and query counts."""

from datetime import timedelta

import pytest

from nexus.core import clock
from nexus.journal.models import Entry
from tests.conditional import if_match
from tests.factories import UserFactory
from tests.journal.conftest import write_entry

URL = "/api/v1/journal/entries/"


def field_errors(response):
    return {error["field"] for error in response.json().get("errors", [])}


def test_a_learner_writes_an_entry_with_markdown_topics_and_time(stopped_clock, client_for, owner):
    today = clock.today()
    response = client_for(owner).post(
        URL,
        {
            "date": str(today),
            "body": "Set up **Django** with <script>alert(1)</script> PostgreSQL",
            "minutes_spent": 90,
            "confidence": 4,
            "visibility": "mentors",
            "topics": ["django", "postgresql"],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= {
        "id",
        "date",
        "body",
        "body_html",
        "minutes_spent",
        "confidence",
        "visibility",
        "topics",
    }
    assert body["date"] == str(today)
    assert "<strong>Django</strong>" in body["body_html"]
    assert "<script" not in body["body_html"]
    assert sorted(body["topics"]) == ["django", "postgresql"]
    assert body["visibility"] == "mentors"
    assert Entry.objects.get().author == owner


def test_anonymous_users_cannot_write(api_client, db):
    response = api_client.post(URL, {"date": "2026-01-01", "body": "x"})
    assert response.status_code in (401, 403)
    assert Entry.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date": "2999-01-01"}, "date"),
        ({"minutes_spent": -5}, "minutes_spent"),
        ({"minutes_spent": 24 * 60 + 1}, "minutes_spent"),
        ({"confidence": 0}, "confidence"),
        ({"confidence": 6}, "confidence"),
        ({"visibility": "friends"}, "visibility"),
        ({"topics": ["no-such-technology"]}, "topics"),
        ({"body": "   "}, "body"),
        ({"mood": "great"}, "mood"),
    ],
)
def test_bad_entries_are_400_with_the_field_named_and_nothing_written(
    stopped_clock, client_for, owner, changes, field
):
    data = {"date": str(clock.today()), "body": "Learned things", "minutes_spent": 10}
    response = client_for(owner).post(URL, {**data, **changes})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in field_errors(response)
    assert Entry.objects.count() == 0


def test_a_day_cannot_hold_more_than_24_hours(awkward_moment, client_for, owner):
    client = client_for(owner)
    today = str(clock.today())
    assert client.post(URL, {"date": today, "body": "a", "minutes_spent": 1000}).status_code == 201
    response = client.post(URL, {"date": today, "body": "b", "minutes_spent": 441})
    assert response.status_code == 400
    assert "minutes_spent" in field_errors(response)
    assert client.post(URL, {"date": today, "body": "c", "minutes_spent": 440}).status_code == 201
    assert Entry.objects.count() == 2


def test_an_entry_before_the_cohort_start_is_refused(client_for, learner, cohort):
    day = cohort.start_date - timedelta(days=1)
    response = client_for(learner).post(URL, {"date": str(day), "body": "Too early"})
    assert response.status_code == 400
    assert field_errors(response) == {"date"}
    assert "cohort" in response.json()["errors"][0]["message"]
    on_start = client_for(learner).post(URL, {"date": str(cohort.start_date), "body": "Day one"})
    assert on_start.status_code == 201


def test_a_body_over_512_kib_is_refused(client_for, owner):
    body = "x" * (512 * 1024 + 1)
    response = client_for(owner).post(URL, {"date": str(clock.today()), "body": body})
    assert response.status_code == 400
    assert "body" in field_errors(response)
    assert Entry.objects.count() == 0


def test_a_request_over_the_body_limit_is_413(client_for, owner):
    body = "x" * (2 * 1024 * 1024)
    response = client_for(owner).post(URL, {"date": str(clock.today()), "body": body})
    assert response.status_code == 413


def test_the_author_edits_their_entry_and_the_html_follows(client_for, owner):
    entry = write_entry(owner)
    response = client_for(owner).patch(
        f"{URL}{entry.pk}/", {"body": "Now *better*"}, headers=if_match(entry)
    )
    assert response.status_code == 200
    assert "<em>better</em>" in response.json()["body_html"]


def test_editing_keeps_the_24_hour_cap(client_for, owner):
    entry = write_entry(owner, minutes=600)
    write_entry(owner, minutes=600)
    response = client_for(owner).patch(
        f"{URL}{entry.pk}/", {"minutes_spent": 900}, headers=if_match(entry)
    )
    assert response.status_code == 400
    entry.refresh_from_db()
    assert entry.minutes_spent == 600


@pytest.mark.parametrize("who", ["other_user", "mentor", "admin_user"])
def test_nobody_but_the_author_edits_or_deletes_a_visible_entry(client_for, owner, who, request):
    entry = write_entry(owner, visibility="public", body="Mine")
    client = client_for(request.getfixturevalue(who))
    headers = if_match(entry)
    assert client.patch(f"{URL}{entry.pk}/", {"body": "Yours"}, headers=headers).status_code == 403
    assert client.delete(f"{URL}{entry.pk}/", headers=headers).status_code == 403
    entry.refresh_from_db()
    assert entry.body == "Mine"


def test_another_learners_private_entry_is_not_found_for_edit(client_for, owner, other_user):
    entry = write_entry(owner)
    response = client_for(other_user).patch(
        f"{URL}{entry.pk}/", {"body": "x"}, headers=if_match(entry)
    )
    assert response.status_code == 404


def test_the_author_deletes_an_entry(client_for, owner):
    entry = write_entry(owner)
    assert client_for(owner).delete(f"{URL}{entry.pk}/", headers=if_match(entry)).status_code == 204
    assert not Entry.objects.exists()


def test_entries_filter_by_month_topic_and_author(awkward_moment, client_for, owner, other_user):
    write_entry(owner, days_ago=0, topics=["docker"], visibility="public")
    write_entry(owner, days_ago=40, visibility="public")
    write_entry(other_user, visibility="public")
    client = client_for(owner)
    month = clock.today().strftime("%Y-%m")
    mine = client.get(URL, {"author": owner.pk, "month": month}).json()["results"]
    assert len(mine) == 1
    assert client.get(URL, {"topic": "docker"}).json()["results"][0]["topics"] == ["docker"]
    assert len(client.get(URL).json()["results"]) == 3


@pytest.mark.parametrize(
    "query", [{"visibility": "friends"}, {"month": "May"}, {"author": "x"}, {"date_after": "y"}]
)
def test_unknown_filter_values_are_400(client_for, owner, query):
    assert client_for(owner).get(URL, query).status_code == 400


@pytest.mark.parametrize("count", [2, 12])
def test_listing_entries_takes_the_same_queries_whatever_their_number(
    client_for, owner, django_assert_max_num_queries, count
):
    for n in range(count):
        write_entry(UserFactory(), visibility="public", topics=["django", "docker"], days_ago=n % 5)
    client = client_for(owner)
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"page_size": 50})
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "2026-13", "2026-5"])
def test_a_month_filter_outside_0001_01_to_9999_11_is_a_field_error(client_for, owner, month):
    # 9999-12 ended past the last date Python has: it was a 500.
    response = client_for(owner).get(URL, {"month": month})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "month"


@pytest.mark.parametrize("author", ["0.5", "1e300", "me"])
def test_an_author_filter_that_is_no_whole_number_is_a_field_error(client_for, owner, author):
    response = client_for(owner).get(URL, {"author": author})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "author"


def test_a_reflection_on_a_month_before_the_year_1000_reads_back_as_yyyy_mm(client_for, owner):
    response = client_for(owner).post(
        "/api/v1/journal/reflections/", {"month": "0350-01", "went_well": "Old"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["month"] == "0350-01"
