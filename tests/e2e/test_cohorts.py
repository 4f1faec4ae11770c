"""Cohorts without the admin site, in a browser: an admin starts a cohort and makes an invite
link; a newcomer signs up through it and joins; the admin assigns a mentor; the mentor sees
the learner."""

import importlib

import pytest
from playwright.sync_api import expect

from nexus.accounts.models import Role, User
from nexus.journal import selectors
from tests.e2e import mentorship_steps as steps

pytestmark = pytest.mark.e2e


@pytest.fixture
def default_data(base_url):
    """The taxonomy and default program, which earlier transactional tests' flushes removed."""
    from django.apps import apps

    importlib.import_module("nexus.knowledge.migrations.0002_default_taxonomy").add_taxonomy(
        apps, None
    )
    importlib.import_module("nexus.journal.migrations.0002_default_program").add_program(apps, None)
    return selectors.default_program()


def test_an_invite_link_brings_a_newcomer_into_a_cohort_with_a_mentor(
    new_page, default_data, screenshot
):
    User.objects.create_user(
        "ada@example.com", steps.PASSWORD, display_name="Ada Admin", role=Role.ADMIN
    )
    User.objects.create_user(
        "maya@example.com", steps.PASSWORD, display_name="Maya Mentor", role=Role.MENTOR
    )
    admin = new_page()
    steps.log_in(admin, "ada@example.com")
    cohort_path = steps.start_cohort(admin, "Spring 2027")
    join_path = steps.make_invite_link(admin, cohort_path, max_uses=5)
    screenshot("cohort-with-invite-link", admin)

    newcomer = new_page()
    steps.sign_up_through_link(
        newcomer, join_path, email="nia@example.com", display_name="Nia Newcomer"
    )
    screenshot("join-page-after-signup", newcomer)
    steps.join(newcomer)
    nia = User.objects.get(email="nia@example.com")
    assert selectors.cohort_of(learner=nia).name == "Spring 2027"

    steps.assign_mentor(admin, cohort_path, learner="Nia Newcomer", mentor="Maya Mentor")
    screenshot("mentor-assigned", admin)
    assert [m.display_name for m in selectors.mentors_of(learner=nia)] == ["Maya Mentor"]

    mentor = new_page()
    steps.log_in(mentor, "maya@example.com")
    steps.mentor_sees_learner(mentor, cohort_path, learner="Nia Newcomer")
    newcomer.goto("/accounts/profile/")
    expect(newcomer.get_by_test_id("profile-cohort")).to_contain_text("Spring 2027")
    screenshot("mentor-sees-learner", mentor)
