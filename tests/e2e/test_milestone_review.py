"""A milestone reviewed against a rubric, in a real browser: the learner submits, the mentor's
bell rises, the mentor scores the rubric and asks for changes, the learner is told and resubmits,
the mentor approves, and the cohort dashboard draws the rubric charts."""

from datetime import timedelta

import pytest

from nexus.accounts.models import Role, User
from nexus.core import clock
from nexus.journal import services as journal_services
from nexus.journal.models import MilestoneProgress
from nexus.mentorship.models import MilestoneReview
from nexus.mentorship.services.milestones import milestone_rubric_set
from nexus.mentorship.services.rubrics import rubric_create
from tests.e2e import milestone_review_steps as steps
from tests.e2e.test_journal_flow import default_data  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e

PASSWORD = "correct-Horse-battery-41"
CRITERIA = [
    {"name": "Correctness", "scale": 4, "levels": ["Broken", "Partial", "Works", "Robust"]},
    {"name": "Tests", "scale": 3, "levels": ["None", "Some", "Thorough"]},
]


def test_a_rubric_scored_milestone_review_with_a_resubmission(
    new_page,
    screenshot,
    default_data,  # noqa: F811
):
    learner = User.objects.create_user("lena@example.com", PASSWORD, display_name="Lena Learner")
    mentor = User.objects.create_user(
        "marc@example.com", PASSWORD, display_name="Marc Mentor", role=Role.MENTOR
    )
    cohort = journal_services.cohort_create(
        actor=mentor,
        program=default_data,
        name="Rubric cohort",
        start_date=clock.today() - timedelta(days=20),
        mentors=[mentor],
    )
    journal_services.cohort_add_learner(actor=mentor, cohort=cohort, learner=learner)
    progress = MilestoneProgress.objects.get(learner=learner, milestone__number=1)
    rubric = rubric_create(actor=mentor, name="Setup rubric", criteria=CRITERIA)
    milestone_rubric_set(actor=mentor, milestone=progress.milestone, rubric=rubric)

    page = new_page()
    steps.log_in(page, learner.email, PASSWORD)
    steps.learner_submits_first_milestone(page, "https://git.example.com/lena/nexus")

    mentor_page = new_page()
    steps.log_in(mentor_page, mentor.email, PASSWORD)
    steps.bell_shows(mentor_page, 1)
    steps.mentor_opens_the_review_from_the_queue(mentor_page, "Lena Learner")
    screenshot("mentor-scores-the-rubric", mentor_page)
    steps.mentor_scores(
        mentor_page, {"Correctness": 2, "Tests": 1}, "Request changes", "Add tests, please."
    )

    steps.bell_shows(page, 1)
    steps.learner_reads_the_notification(page, "needs changes")
    steps.learner_submits_first_milestone(page, "https://git.example.com/lena/nexus-v2")

    steps.mentor_opens_the_review_from_the_queue(mentor_page, "Lena Learner")
    steps.mentor_scores(mentor_page, {"Correctness": 4, "Tests": 3}, "Approve")
    steps.thread_shows_rounds(page, progress.pk, 2)
    screenshot("learner-thread", page)

    assert [r.decision for r in MilestoneReview.objects.order_by("id")] == [
        "changes_requested",
        "approved",
    ]
    assert MilestoneProgress.objects.get(pk=progress.pk).status == "done"
    steps.cohort_dashboard_shows_rubric_charts(mentor_page, cohort.pk)
    screenshot("cohort-rubric-charts", mentor_page)
