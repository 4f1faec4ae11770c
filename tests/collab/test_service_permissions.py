"""The collaboration hub's services refuse whom their policy refuses, whichever door calls them,
and then store nothing: no row written, changed or removed, no event announced."""

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from nexus.collab.models import BreakingChangeAlert, Operation
from nexus.collab.services import catalog, consumers, feedback, imports, issues
from nexus.core.models import OutboxEvent
from tests.collab.conftest import PETS_V2
from tests.factories import UserFactory


def stored() -> dict[str, list]:
    rows = {
        model.__name__: list(model.objects.values_list("pk", "updated_at"))
        for model in apps.get_app_config("collab").get_models()
    }
    rows["events"] = list(OutboxEvent.objects.values_list("pk", flat=True))
    return rows


@pytest.fixture
def world(owner, other_user, mentor, admin_user, team, pets_api, pets_v1):
    operation = Operation.objects.get(version=pets_v1, key="GET /pets")
    own_use = consumers.consumer_declare(api=pets_api, actor=other_user)
    team_use = consumers.consumer_declare(api=pets_api, actor=owner, team=team)
    catalog.spec_version_create(api=pets_api, actor=owner, raw=PETS_V2, source="paste")
    return SimpleNamespace(
        anonymous=AnonymousUser(),
        owner=owner,
        other_user=other_user,
        mentor=mentor,
        admin_user=admin_user,
        stranger=UserFactory(),
        api=pets_api,
        operation=operation,
        own_use=own_use,
        team_use=team_use,
        alert=BreakingChangeAlert.objects.filter(recipient=other_user).get(),
        rating=feedback.feedback_submit(author=other_user, operation=operation, naming=2),
        issue=issues.issue_create(reporter=other_user, api=pets_api, title="Broken"),
    )


ATTEMPTS = {
    "api_create": lambda w, actor: catalog.api_create(actor=actor, name="Mine"),
    "api_update": lambda w, actor: catalog.api_update(api=w.api, actor=actor, name="Taken"),
    "spec_version_create": lambda w, actor: catalog.spec_version_create(
        api=w.api, actor=actor, raw=PETS_V2.replace('"2.0"', '"3.0"'), source="paste"
    ),
    "spec_import_request": lambda w, actor: imports.spec_import_request(
        api=w.api, url="https://example.com/openapi.yaml", actor=actor
    ),
    "consumer_declare": lambda w, actor: consumers.consumer_declare(api=w.api, actor=actor),
    "consumer_remove (a user's)": lambda w, actor: consumers.consumer_remove(
        consumer=w.own_use, actor=actor
    ),
    "consumer_remove (a team's)": lambda w, actor: consumers.consumer_remove(
        consumer=w.team_use, actor=actor
    ),
    "alert_mark_read": lambda w, actor: consumers.alert_mark_read(alert=w.alert, actor=actor),
    "feedback_submit": lambda w, actor: feedback.feedback_submit(
        author=actor, operation=w.operation, naming=5
    ),
    "feedback_reply": lambda w, actor: feedback.feedback_reply(
        feedback=w.rating, actor=actor, reply="Fixed it"
    ),
    "issue_create": lambda w, actor: issues.issue_create(reporter=actor, api=w.api, title="Me too"),
    "issue_update (text)": lambda w, actor: issues.issue_update(
        issue=w.issue, actor=actor, title="Retitled"
    ),
    "issue_update (status)": lambda w, actor: issues.issue_update(
        issue=w.issue, actor=actor, status="triaged"
    ),
    "issue_update (assignee)": lambda w, actor: issues.issue_update(
        issue=w.issue, actor=actor, assignee=actor
    ),
    "issue_update (labels)": lambda w, actor: issues.issue_update(
        issue=w.issue, actor=actor, labels=["urgent"]
    ),
    "issue_comment_create": lambda w, actor: issues.issue_comment_create(
        issue=w.issue, author=actor, body="+1"
    ),
    "issue_watch_set": lambda w, actor: issues.issue_watch_set(
        issue=w.issue, user=actor, watching=True
    ),
}

REFUSED = [
    ("api_create", "anonymous"),
    *(("api_update", who) for who in ("other_user", "mentor")),
    *(("spec_version_create", who) for who in ("other_user", "mentor")),
    *(("spec_import_request", who) for who in ("other_user", "mentor")),
    ("consumer_declare", "anonymous"),
    *(("consumer_remove (a user's)", who) for who in ("owner", "mentor")),
    ("consumer_remove (a team's)", "mentor"),
    *(("alert_mark_read", who) for who in ("owner", "admin_user")),
    ("feedback_submit", "anonymous"),
    *(("feedback_reply", who) for who in ("other_user", "mentor")),
    ("issue_create", "anonymous"),
    *(("issue_update (text)", who) for who in ("stranger", "anonymous")),
    *(("issue_update (status)", who) for who in ("other_user", "stranger")),
    ("issue_update (assignee)", "other_user"),
    ("issue_update (labels)", "other_user"),
    ("issue_comment_create", "anonymous"),
    ("issue_watch_set", "anonymous"),
]


@pytest.mark.parametrize(("service", "who"), REFUSED, ids=[f"{s}-{w}" for s, w in REFUSED])
def test_a_refused_actor_gets_permission_denied_and_nothing_is_stored(world, service, who):
    before = stored()
    with pytest.raises(PermissionDenied):
        ATTEMPTS[service](world, getattr(world, who))
    assert stored() == before


def test_a_refused_move_says_what_was_refused(world):
    with pytest.raises(PermissionDenied, match="You may not move this issue"):
        ATTEMPTS["issue_update (status)"](world, world.other_user)


ALLOWED = [
    ("api_update", "owner"),
    ("api_update", "admin_user"),
    ("spec_version_create", "owner"),
    ("consumer_remove (a user's)", "other_user"),
    ("consumer_remove (a team's)", "other_user"),
    ("alert_mark_read", "other_user"),
    ("feedback_reply", "owner"),
    ("issue_update (text)", "other_user"),
    ("issue_update (text)", "mentor"),
    ("issue_update (status)", "owner"),
    ("issue_update (labels)", "mentor"),
]


@pytest.mark.parametrize(("service", "who"), ALLOWED, ids=[f"{s}-{w}" for s, w in ALLOWED])
def test_the_people_the_policy_allows_still_may(world, service, who):
    before = stored()
    ATTEMPTS[service](world, getattr(world, who))
    assert stored() != before
