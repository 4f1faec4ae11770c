"""People and articles for the article review tests: a learner (the author) in a cohort whose
mentor reviews, a mentor of another cohort, and a rubric."""

import datetime

from nexus.accounts.models import Role
from nexus.journal.models import Cohort, CohortMembership, Program
from nexus.knowledge import services as knowledge_services
from nexus.mentorship.services.rubrics import rubric_create
from tests.factories import UserFactory

BODY = "# Caching\n\nKeep hot data in memory.\nExpire it on write.\n\nMeasure first."
CRITERIA = [
    {"name": "Accuracy", "scale": 4, "levels": ["Wrong", "Shaky", "Right", "Precise"]},
    {"name": "Clarity", "scale": 3},
]


def cohort_with(*, learner, mentors, name="Spring"):
    program = Program.objects.get_or_create(slug="backend", defaults={"title": "Backend"})[0]
    cohort = Cohort.objects.create(program=program, name=name, start_date=datetime.date(2026, 1, 5))
    cohort.mentors.set(mentors)
    CohortMembership.objects.create(cohort=cohort, learner=learner)
    return cohort


def draft_of(author, *, title="Caching in practice", body=BODY):
    return knowledge_services.article_create(author=author, title=title, body=body, status="draft")


def a_rubric(by):
    return rubric_create(actor=by, name="Article rubric", criteria=CRITERIA)


def other_mentor():
    return UserFactory(display_name="Nora Notmine", role=Role.MENTOR)
