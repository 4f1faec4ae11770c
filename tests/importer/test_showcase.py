"""`load_demo`'s showcase: a learning path with steps, an API with three versions and a breaking-
change alert for its consumer, a cohort with members, answered and open challenges, a journal over
months with milestones in every state; and nothing more the second time."""

import io

import pytest
from django.core.management import call_command

from nexus.challenges.models import Challenge, ChallengeStatus
from nexus.collab.models import Api, BreakingChangeAlert
from nexus.importer.showcase import (
    ANSWERED,
    API_NAME,
    COHORT_NAME,
    OPEN,
    PATH_STEPS,
    PATH_TITLE,
)
from nexus.journal.models import Cohort, Entry, MilestoneProgress, MilestoneStatus
from nexus.knowledge.models import LearningPath
from nexus.mentorship.selectors import milestone_thread
from tests.knowledge.factories import ensure_taxonomy

MODELS = (LearningPath, Api, BreakingChangeAlert, Cohort, Challenge, Entry, MilestoneProgress)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo(db):
    return load()


def load():
    ensure_taxonomy()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_the_showcase_has_every_kind_of_content(awkward_moment, db):
    # On every awkward day: the worklog's dates and the cohort's start are counted back from today.
    demo = load()
    path = LearningPath.objects.get(title=PATH_TITLE)
    assert path.steps.count() == len(PATH_STEPS) == 5
    api = Api.objects.get(name=API_NAME)
    assert api.versions.count() == 3
    alert = BreakingChangeAlert.objects.get(api=api)
    assert alert.recipient.email == "priya@demo.nexus.local"
    assert alert.version.number == 3
    cohort = Cohort.objects.get(name=COHORT_NAME)
    assert cohort.memberships.count() == 3
    assert cohort.mentors.count() == 1
    answered = Challenge.objects.get(title=ANSWERED["title"])
    assert answered.status == ChallengeStatus.SOLVED
    assert answered.accepted_solution is not None
    still_open = Challenge.objects.filter(title__in=[spec["title"] for spec in OPEN])
    assert [challenge.status for challenge in still_open] == [ChallengeStatus.OPEN] * 2
    entries = Entry.objects.filter(author__email="lena@demo.nexus.local")
    assert len({entry.date.replace(day=1) for entry in entries}) >= 3  # months of worklog
    statuses = set(
        MilestoneProgress.objects.filter(learner__email="lena@demo.nexus.local").values_list(
            "status", flat=True
        )
    )
    assert {MilestoneStatus.DONE, MilestoneStatus.SUBMITTED, MilestoneStatus.IN_PROGRESS} <= (
        statuses
    )
    first = MilestoneProgress.objects.get(
        learner__email="lena@demo.nexus.local", milestone__number=1
    )
    thread = milestone_thread(progress=first)
    assert [submission.review.decision for submission in thread] == [
        "changes_requested",
        "approved",
    ]
    assert [row.score for row in thread[1].review.scores.all()] == [4, 3, 2]
    assert "Showcase: " in demo


def test_running_load_demo_again_adds_nothing(demo):
    before = counts()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert counts() == before
    assert out.getvalue().splitlines()[-1] == "Showcase: nothing new."
