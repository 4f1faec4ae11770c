"""The journal in a real browser: entries in two months, a milestone submitted and reviewed by a
mentor, then both dashboards with their Chart.js charts drawn; on the next first and last day of a
month, 29 February and New Year's Eve, where "this month" and "last month" are easy to get wrong."""

import importlib
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from nexus.accounts.models import Role, User
from nexus.journal import selectors, services
from nexus.journal.models import Entry, MilestoneProgress
from tests.e2e.login import log_in

pytestmark = pytest.mark.e2e

PASSWORD = "correct-Horse-battery-41"


@pytest.fixture
def default_data(base_url):
    """The taxonomy and default program, which earlier transactional tests' flushes removed."""
    from django.apps import apps

    importlib.import_module("nexus.knowledge.migrations.0002_default_taxonomy").add_taxonomy(
        apps, None
    )
    importlib.import_module("nexus.journal.migrations.0002_default_program").add_program(apps, None)
    return selectors.default_program()


def write_entry(page: Page, *, day, body: str, minutes: str, topic: str) -> None:
    page.goto(f"/journal/?month={day:%Y-%m}")
    page.get_by_text("New entry").click()
    form = page.locator("#worklog form")
    form.get_by_label("Date").fill(day.isoformat())
    form.get_by_label("What did you do and learn?").fill(body)
    form.get_by_label("Minutes spent").fill(minutes)
    form.get_by_label("Visibility").select_option("mentors")
    form.get_by_label("Topics").select_option([topic])
    with page.expect_response(re.compile(r"/journal/entries/new/")) as posted:
        form.get_by_role("button", name="Save entry").click()
    assert posted.value.ok
    assert posted.value.request.headers.get("hx-request") == "true"


def assert_chart_drawn(page: Page, canvas_id: str) -> None:
    page.wait_for_function(
        "id => window.Chart && window.Chart.getChart(document.getElementById(id))", arg=canvas_id
    )
    painted = page.evaluate(
        """id => {
            const canvas = document.getElementById(id);
            const pixels = canvas.getContext("2d")
                .getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
            return painted;
        }""",
        canvas_id,
    )
    assert painted > 500, f"{canvas_id}: only {painted} pixels drawn"


def test_entries_milestone_review_and_dashboards(
    upcoming_awkward_day, new_page, screenshot, default_data
):
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=10)
    learner = User.objects.create_user("lena@example.com", PASSWORD, display_name="Lena Learner")
    mentor = User.objects.create_user(
        "marc@example.com", PASSWORD, display_name="Marc Mentor", role=Role.MENTOR
    )
    cohort = services.cohort_create(
        actor=mentor,
        program=default_data,
        name="Browser cohort",
        start_date=today - timedelta(days=75),
        mentors=[mentor],
    )
    services.cohort_add_learner(actor=mentor, cohort=cohort, learner=learner)

    page = new_page()
    log_in(page, "lena@example.com", PASSWORD)
    write_entry(
        page, day=last_month, body="Set up **PostgreSQL** locally", minutes="90", topic="postgresql"
    )
    expect(page.get_by_test_id("entry")).to_have_count(1)
    expect(page.get_by_test_id("entry").first).to_contain_text("PostgreSQL")
    write_entry(page, day=today, body="First *Django* view", minutes="120", topic="django")
    expect(page.get_by_test_id("entry")).to_have_count(1)
    expect(page.get_by_test_id("month-summary")).to_contain_text("1 entry")
    screenshot("worklog-this-month", page)
    assert sorted(e.date for e in Entry.objects.filter(author=learner)) == [last_month, today]

    page.goto("/journal/milestones/")
    first = page.get_by_test_id("milestone").first
    first.get_by_label("Status").select_option("submitted")
    first.get_by_label("Repository").fill("https://git.example.com/lena/nexus")
    first.get_by_role("button", name="Save milestone").click()
    expect(page.get_by_test_id("milestone").first.get_by_test_id("milestone-status")).to_have_text(
        "Submitted"
    )

    mentor_page = new_page()
    log_in(mentor_page, "marc@example.com", PASSWORD)
    mentor_page.goto("/journal/review/")
    item = mentor_page.get_by_test_id("review-item").first
    expect(item).to_contain_text("Lena Learner")
    item.get_by_label("Approve: mark done").check()
    item.get_by_label("Comment").fill("Clean setup, well documented.")
    screenshot("mentor-review", mentor_page)
    item.get_by_role("button", name="Save review").click()
    expect(mentor_page.get_by_text("Nothing is waiting for review.")).to_be_visible()

    page.goto("/journal/milestones/")
    done = page.locator("[data-testid=milestone][data-status=done]")
    expect(done).to_have_count(1)
    expect(done.get_by_test_id("review-comment")).to_contain_text("Clean setup")
    progress = MilestoneProgress.objects.get(learner=learner, milestone__number=1)
    assert (progress.status, progress.reviewer) == ("done", mentor)

    page.goto("/journal/dashboard/")
    expect(page.get_by_test_id("streak")).to_contain_text("1 day in a row")
    for canvas in ("chart-activity", "chart-milestones", "chart-topics"):
        assert_chart_drawn(page, canvas)
    screenshot("learner-dashboard", page)

    mentor_page.goto(f"/journal/cohorts/{cohort.pk}/")
    for canvas in ("chart-cohort-milestones", "chart-cohort-coverage"):
        assert_chart_drawn(mentor_page, canvas)
    expect(mentor_page.get_by_test_id("chart-cohort-milestones")).to_contain_text("JSON")
    screenshot("cohort-dashboard", mentor_page)
    csv = mentor_page.request.get(f"/api/v1/analytics/cohorts/{cohort.pk}/milestones/?format=csv")
    assert csv.ok
    assert "Lena Learner,1,0,0" in csv.text()
