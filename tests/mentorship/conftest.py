"""Mentorship fixtures: a cohort on the default program with the owner as learner, the mentor as
their mentor, another mentor who is not theirs, and a rubric on the first milestone."""

from datetime import timedelta

import pytest

from nexus.core import clock
from nexus.journal import selectors as journal_selectors
from nexus.journal import services as journal_services
from nexus.journal.models import MilestoneProgress
from nexus.mentorship.services.milestones import milestone_rubric_set
from nexus.mentorship.services.rubrics import rubric_create
from tests.factories import UserFactory

CRITERIA = [
    {"name": "Correctness", "scale": 4, "levels": ["Broken", "Partial", "Works", "Robust"]},
    {"name": "Tests", "scale": 3, "levels": ["None", "Some", "Thorough"]},
]
GOOD_SCORES = [
    {"criterion": "Correctness", "score": 3, "comment": "Works"},
    {"criterion": "Tests", "score": 2},
]


@pytest.fixture
def program(db):
    return journal_selectors.default_program()


@pytest.fixture
def cohort(program, mentor):
    return journal_services.cohort_create(
        actor=mentor,
        program=program,
        name="Review cohort",
        start_date=clock.today() - timedelta(days=120),
        mentors=[mentor],
    )


@pytest.fixture
def learner(owner, cohort, mentor):
    journal_services.cohort_add_learner(actor=mentor, cohort=cohort, learner=owner)
    return owner


@pytest.fixture
def stranger_mentor(db):
    """A mentor, but not of the learner's cohort."""
    from nexus.accounts.models import Role

    return UserFactory(display_name="Sam Stranger", role=Role.MENTOR)


@pytest.fixture
def rubric(mentor):
    return rubric_create(actor=mentor, name="Milestone rubric", criteria=CRITERIA)


@pytest.fixture
def progress(learner, rubric, mentor):
    """The learner's first milestone, scored with the rubric."""
    row = MilestoneProgress.objects.select_related("milestone", "learner").get(
        learner=learner, milestone__number=1
    )
    milestone_rubric_set(actor=mentor, milestone=row.milestone, rubric=rubric)
    return row
