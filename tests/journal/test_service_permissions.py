"""The journal's services refuse whom their policy refuses, whichever door calls them, and then
store nothing: no row written, changed or removed, no event announced."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from nexus.core import clock
from nexus.core.models import OutboxEvent
from nexus.journal import services
from nexus.journal.models import (
    Cohort,
    CohortMembership,
    Entry,
    LearnerTopic,
    Milestone,
    MilestoneProgress,
    MilestoneStatus,
    Program,
    ProgramMonth,
    Reflection,
    Visibility,
)
from tests.journal.conftest import write_entry

TABLES = (
    Entry,
    Reflection,
    Program,
    ProgramMonth,
    Milestone,
    Cohort,
    CohortMembership,
    MilestoneProgress,
    LearnerTopic,
)


def stored() -> dict[str, list]:
    rows = {table.__name__: list(table.objects.values_list("pk", "updated_at")) for table in TABLES}
    rows["events"] = list(OutboxEvent.objects.values_list("pk", flat=True))
    return rows


@pytest.fixture
def world(learner, program, cohort, owner, other_user, mentor, admin_user):
    progress = MilestoneProgress.objects.filter(learner=learner).order_by("pk").first()
    progress.status = MilestoneStatus.SUBMITTED
    progress.save()
    services.cohort_add_learner(actor=admin_user, cohort=cohort, learner=mentor)
    mentors_own = MilestoneProgress.objects.filter(learner=mentor).order_by("pk").first()
    mentors_own.status = MilestoneStatus.SUBMITTED
    mentors_own.save()
    return SimpleNamespace(
        anonymous=AnonymousUser(),
        owner=owner,
        other_user=other_user,
        mentor=mentor,
        admin_user=admin_user,
        entry=write_entry(owner, visibility=Visibility.PUBLIC, topics=["django"]),
        program=program,
        cohort=cohort,
        progress=progress,
        mentors_own=mentors_own,
    )


ATTEMPTS = {
    "entry_create": lambda w, actor: services.entry_create(
        author=actor, date=clock.today(), body="Mine now"
    ),
    "entry_update": lambda w, actor: services.entry_update(
        entry=w.entry, actor=actor, body="Rewritten"
    ),
    "entry_delete": lambda w, actor: services.entry_delete(entry=w.entry, actor=actor),
    "reflection_save": lambda w, actor: services.reflection_save(
        author=actor, month=clock.today(), went_well="All of it"
    ),
    "program_update": lambda w, actor: services.program_update(
        program=w.program, actor=actor, title="Renamed"
    ),
    "cohort_create": lambda w, actor: services.cohort_create(
        actor=actor, program=w.program, name="My own cohort", start_date=clock.today()
    ),
    "cohort_add_learner": lambda w, actor: services.cohort_add_learner(
        actor=actor, cohort=w.cohort, learner=w.other_user
    ),
    "progress_update": lambda w, actor: services.progress_update(
        progress=w.progress, actor=actor, note="Done it for you"
    ),
    "progress_review": lambda w, actor: services.progress_review(
        progress=w.progress, reviewer=actor, approve=True, comment=""
    ),
    "progress_review of one's own": lambda w, actor: services.progress_review(
        progress=w.mentors_own, reviewer=actor, approve=True, comment=""
    ),
}

REFUSED = [
    ("entry_create", "anonymous"),
    *(("entry_update", who) for who in ("other_user", "mentor", "admin_user")),
    *(("entry_delete", who) for who in ("other_user", "mentor", "admin_user")),
    ("reflection_save", "anonymous"),
    *(("program_update", who) for who in ("owner", "other_user")),
    *(("cohort_create", who) for who in ("owner", "other_user")),
    *(("cohort_add_learner", who) for who in ("owner", "other_user")),
    *(("progress_update", who) for who in ("other_user", "mentor", "admin_user")),
    *(("progress_review", who) for who in ("owner", "other_user")),
    ("progress_review of one's own", "mentor"),
]


@pytest.mark.parametrize(("service", "who"), REFUSED, ids=[f"{s}-{w}" for s, w in REFUSED])
def test_a_refused_actor_gets_permission_denied_and_nothing_is_stored(world, service, who):
    before = stored()
    with pytest.raises(PermissionDenied):
        ATTEMPTS[service](world, getattr(world, who))
    assert stored() == before


ALLOWED = [
    ("entry_update", "owner"),
    ("program_update", "mentor"),
    ("cohort_create", "admin_user"),
    ("cohort_add_learner", "mentor"),
    ("progress_update", "owner"),
    ("progress_review", "mentor"),
    ("progress_review", "admin_user"),
]


@pytest.mark.parametrize(("service", "who"), ALLOWED, ids=[f"{s}-{w}" for s, w in ALLOWED])
def test_the_people_the_policy_allows_still_may(world, service, who):
    before = stored()
    ATTEMPTS[service](world, getattr(world, who))
    assert stored() != before
