"""A month in a URL or query string (`YYYY-MM`) past what dates can hold is a 400 or 404, not a 500."""

from datetime import date

import pytest
from django.test import Client

from nexus.core.months import parse_month

# Year 0 does not exist; the month after 9999-12 does not either (the end of its range).
EDGE_MONTHS = ("0000-01", "0001-01", "9999-12", "1899-12", "99999-01")


@pytest.mark.parametrize(
    ("text", "first_day"),
    [("2026-03", date(2026, 3, 1)), ("1900-01", date(1900, 1, 1)), ("9998-12", date(9998, 12, 1))],
)
def test_a_month_in_range_is_its_first_day(text, first_day):
    assert parse_month(text) == first_day


@pytest.mark.parametrize(
    "text",
    [*EDGE_MONTHS, "2026-13", "2026-00", "2026-3", "2026-03-01", "\uff12\uff10\uff12\uff16-03", ""],
)
def test_anything_else_is_refused_saying_what_a_month_looks_like(text):
    with pytest.raises(ValueError, match="Use "):
        parse_month(text)


@pytest.mark.parametrize("month", EDGE_MONTHS)
def test_the_leaderboard_api_answers_400_with_the_month_field(api_client, db, month):
    response = api_client.get(f"/api/v1/challenges/leaderboard/?month={month}")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["month"]


@pytest.mark.parametrize("month", EDGE_MONTHS)
def test_the_leaderboard_page_answers_400(client, db, month):
    assert client.get(f"/challenges/leaderboard/?month={month}").status_code == 400


def test_the_first_and_last_months_in_range_have_a_leaderboard(api_client, client, db):
    for month in ("1900-01", "9998-12"):
        assert api_client.get(f"/api/v1/challenges/leaderboard/?month={month}").json() == {
            "results": []
        }
        assert client.get(f"/challenges/leaderboard/?month={month}").status_code == 200


@pytest.mark.parametrize("month", EDGE_MONTHS)
def test_journal_lists_answer_400_with_the_month_field(client_for, owner, month):
    api = client_for(owner)
    for url in (
        f"/api/v1/journal/entries/?month={month}",
        f"/api/v1/journal/evidence/?month={month}",
    ):
        response = api.get(url)
        assert response.status_code == 400, url
        assert [error["field"] for error in response.json()["errors"]] == ["month"]


@pytest.mark.parametrize("month", EDGE_MONTHS)
def test_journal_pages_answer_404_for_a_month_no_calendar_has(owner, month):
    browser = Client()
    browser.force_login(owner)
    assert browser.get(f"/journal/?month={month}").status_code == 404
    assert browser.post(f"/journal/reflections/{month}/", {"body": "x"}).status_code == 404


def test_the_journal_pages_of_the_first_and_last_months_render(owner):
    browser = Client()
    browser.force_login(owner)
    for month in ("1900-01", "9998-12"):
        assert browser.get(f"/journal/?month={month}").status_code == 200
