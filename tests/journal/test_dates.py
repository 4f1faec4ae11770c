"""The journal on awkward days: what "today", "this month" and "this week" mean is decided in
TIME_ZONE, on the first and last of a month, around New Year, 29 February and DST changes."""

import html
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from nexus.journal import analytics, services
from nexus.journal.models import Entry, Reflection
from tests.journal.conftest import write_entry
from tests.knowledge.factories import make_article

pytestmark = pytest.mark.django_db

URL = "/api/v1/journal/entries/"


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def test_an_entry_may_be_dated_today_in_the_time_zone_but_not_tomorrow(
    awkward_moment, client_for, owner
):
    client = client_for(owner)
    today = awkward_moment.today
    accepted = client.post(URL, {"date": str(today), "body": "Today's work", "minutes_spent": 30})
    assert accepted.status_code == 201, accepted.json()
    refused = client.post(URL, {"date": str(today + timedelta(days=1)), "body": "Too soon"})
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["date"]
    assert list(Entry.objects.values_list("date", flat=True)) == [today]


def test_a_reflection_on_this_month_is_kept_and_one_on_next_month_refused(awkward_moment, owner):
    this_month = awkward_moment.today.replace(day=1)
    services.reflection_save(author=owner, month=awkward_moment.today, went_well="Shipped")
    with pytest.raises(ValidationError) as refused:
        services.reflection_save(author=owner, month=next_month(this_month), went_well="Soon")
    assert set(refused.value.message_dict) == {"month"}
    assert list(Reflection.objects.values_list("month", flat=True)) == [this_month]


def test_the_month_filter_splits_today_from_yesterday_at_a_month_boundary(
    awkward_moment, client_for, owner
):
    write_entry(owner, days_ago=0, body="Today")
    write_entry(owner, days_ago=1, body="Yesterday")
    client = client_for(owner)
    this_month = awkward_moment.today
    month_of_yesterday = awkward_moment.today - timedelta(days=1)
    found = {
        key: [e["body"] for e in client.get(URL, {"month": f"{day:%Y-%m}"}).json()["results"]]
        for key, day in (("this", this_month), ("yesterday's", month_of_yesterday))
    }
    if this_month.month == month_of_yesterday.month:
        assert sorted(found["this"]) == ["Today", "Yesterday"]
    else:
        assert (found["this"], found["yesterday's"]) == (["Today"], ["Yesterday"])


def test_the_month_page_offers_no_next_month_and_dates_a_new_entry_today(awkward_moment, owner):
    client = Client()
    client.force_login(owner)
    page = client.get("/journal/")
    assert page.status_code == 200
    assert page.context["month"] == awkward_moment.today.replace(day=1)
    assert page.context["next_month"] is None
    assert page.context["previous_month"] == previous_month(awkward_moment.today)
    assert page.context["form"].initial["date"] == awkward_moment.today


def test_a_streak_runs_across_month_and_year_boundaries(awkward_moment, owner):
    for days_ago in (0, 1, 2):
        write_entry(owner, days_ago=days_ago)
    assert analytics.learner_streak(owner) == 3
    # An empty today does not break the streak until the day is over.
    Entry.objects.filter(date=awkward_moment.today).delete()
    assert analytics.learner_streak(owner) == 2


def test_this_weeks_activity_lands_in_the_last_week_of_every_chart(awkward_moment, owner):
    write_entry(owner, days_ago=0, minutes=45)
    activity = analytics.learner_activity(owner)
    assert activity.datasets[0].data[-1] > 0
    assert sum(activity.datasets[0].data[:-1]) == 0
    assert analytics.weekly_active_users().datasets[0].data[-1] == 1
    assert analytics.content_per_week().datasets[0].data[-1] == 1


def test_quiet_for_two_weeks_starts_on_the_fourteenth_day(
    awkward_moment, cohort, owner, other_user, mentor
):
    for learner in (owner, other_user):
        services.cohort_add_learner(actor=mentor, cohort=cohort, learner=learner)
    write_entry(owner, days_ago=analytics.INACTIVE_DAYS - 1)
    write_entry(other_user, days_ago=analytics.INACTIVE_DAYS)
    chart = analytics.cohort_inactive(cohort)
    assert chart.labels == [other_user.display_name]


def test_work_done_this_evening_is_evidence_for_this_month_and_its_milestones(
    awkward_moment, learner
):
    make_article(learner, title="Tonight's notes on caching")
    write_entry(learner, body="Tonight's entry")
    client = Client()
    client.force_login(learner)
    month_page = client.get("/journal/")
    assert "Tonight's notes on caching" in [item.title for item in month_page.context["evidence"]]
    last_month = client.get("/journal/", {"month": f"{previous_month(awkward_moment.today):%Y-%m}"})
    assert "Tonight's notes on caching" not in [i.title for i in last_month.context["evidence"]]
    milestones = html.unescape(client.get("/journal/milestones/").content.decode())
    assert "Tonight's notes on caching" in milestones
