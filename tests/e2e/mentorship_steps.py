"""Steps of the mentorship journey in a browser, small enough to reuse in a longer flow:
an admin starts a cohort and makes an invite link, a newcomer signs up through it and joins,
the admin assigns them a mentor, the mentor finds them."""

import re

from django.core import mail
from playwright.sync_api import Page, expect

from tests.e2e.login import log_in as log_in_through_the_form

PASSWORD = "correct-Horse-battery-41"


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    log_in_through_the_form(page, email, password)
    expect(page.get_by_test_id("nav-journal")).to_be_visible()


def start_cohort(page: Page, name: str) -> str:
    """On the cohorts page, start a cohort; returns the cohort page's path."""
    page.goto("/journal/cohorts/")
    form = page.get_by_test_id("cohort-create")
    form.get_by_label("Name").fill(name)
    form.get_by_role("button", name="Start the cohort").click()
    expect(page.get_by_test_id("cohort-name")).to_have_text(name)
    return re.sub(r"^https?://[^/]+", "", page.url)


def make_invite_link(page: Page, cohort_path: str, *, max_uses: int | None = None) -> str:
    """On the cohort page, make an invite link; returns its path (/join/<token>/)."""
    page.goto(cohort_path)
    form = page.get_by_test_id("invitation-create")
    if max_uses is not None:
        form.get_by_label("Max uses").fill(str(max_uses))
    form.get_by_role("button", name="Make an invite link").click()
    link = page.get_by_test_id("invitation-link").first
    expect(link).to_be_visible()
    return re.sub(r"^https?://[^/]+", "", link.input_value())


def sign_up_through_link(page: Page, join_path: str, *, email: str, display_name: str) -> None:
    """A visitor opens the link, signs up, confirms by e-mail and lands back on the join page."""
    page.goto(join_path)
    page.get_by_test_id("join-signup").click()
    main = page.get_by_role("main")
    main.get_by_label("Email").fill(email)
    main.get_by_label("Display name").fill(display_name)
    main.get_by_label("Password").fill(PASSWORD)
    main.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    confirm = re.search(r"https?://[^/]+(/accounts/signup/confirm/\S+)", message.body).group(1)
    page.goto(confirm)
    page.get_by_role("main").get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(re.escape(join_path) + "$"))


def join(page: Page) -> None:
    """On the join page, join the cohort."""
    page.get_by_test_id("join-button").click()
    expect(page).to_have_url(re.compile(r"/journal/milestones/"))


def assign_mentor(page: Page, cohort_path: str, *, learner: str, mentor: str) -> None:
    """On the cohort page, make someone a mentor of the cohort, then the learner's mentor."""
    page.goto(cohort_path)
    mentors = page.get_by_test_id("cohort-mentors")
    mentors.get_by_label(mentor).check()
    mentors.get_by_role("button", name="Save mentors").click()
    member = page.get_by_test_id("member").filter(has_text=learner)
    member.get_by_test_id("assign-mentors").get_by_label(mentor).check()
    member.get_by_role("button", name="Save mentors").click()
    member = page.get_by_test_id("member").filter(has_text=learner)
    expect(member.get_by_test_id("member-mentors")).to_have_text(mentor)


def mentor_sees_learner(page: Page, cohort_path: str, *, learner: str) -> None:
    """The mentor finds the learner on the cohort page, with themselves as mentor."""
    page.goto(cohort_path)
    expect(page.get_by_test_id("member-name").filter(has_text=learner)).to_be_visible()
