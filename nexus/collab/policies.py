"""Who may do what in the collaboration hub: the services raise on a refusal, the front doors
show or hide."""

from nexus.accounts.models import Team, TeamMembership, User, Viewer
from nexus.collab.models import (
    Api,
    ApiConsumer,
    BreakingChangeAlert,
    EndpointFeedback,
    IntegrationIssue,
)


def _member_of(user: User, team_id: int | None) -> bool:
    if team_id is None:
        return False
    return TeamMembership.objects.filter(team_id=team_id, user_id=user.pk).exists()


def can_register_api(user: Viewer) -> bool:
    return isinstance(user, User)


def can_maintain_api(user: Viewer, api: Api) -> bool:
    """Admins, the owning team's members, or (for an API without a team) whoever registered it."""
    if not isinstance(user, User):
        return False
    if user.is_admin:
        return True
    if api.team_id is None:
        return api.created_by_id == user.pk
    return _member_of(user, api.team_id)


def can_act_for_team(user: Viewer, team: Team) -> bool:
    return isinstance(user, User) and (user.is_admin or _member_of(user, team.pk))


def can_declare_consumer(user: Viewer, api: Api) -> bool:
    """Anyone signed in says they use an API (for a team: see can_act_for_team)."""
    return isinstance(user, User)


def can_remove_consumer(user: Viewer, consumer: ApiConsumer) -> bool:
    """Whoever declared it for themselves; for a team, whoever may act for that team."""
    if not isinstance(user, User):
        return False
    if consumer.team is not None:
        return can_act_for_team(user, consumer.team)
    return consumer.user_id == user.pk


def can_read_alert(user: Viewer, alert: BreakingChangeAlert) -> bool:
    return isinstance(user, User) and alert.recipient_id == user.pk


def can_give_feedback(user: Viewer) -> bool:
    return isinstance(user, User)


def can_edit_feedback(user: Viewer, feedback: EndpointFeedback) -> bool:
    return isinstance(user, User) and feedback.author_id == user.pk


def can_reply_to_feedback(user: Viewer, feedback: EndpointFeedback) -> bool:
    return can_maintain_api(user, feedback.api)


def can_file_issue(user: Viewer) -> bool:
    return isinstance(user, User)


def can_triage_issue(user: Viewer, issue: IntegrationIssue) -> bool:
    """Status, assignee and labels: the API's maintainers, mentors and admins."""
    return isinstance(user, User) and (user.is_moderator or can_maintain_api(user, issue.api))


def can_edit_issue(user: Viewer, issue: IntegrationIssue) -> bool:
    """Title, body and kind: the reporter, or anyone who triages."""
    if not isinstance(user, User):
        return False
    return issue.reporter_id == user.pk or can_triage_issue(user, issue)


def can_comment_on_issue(user: Viewer, issue: IntegrationIssue) -> bool:
    return isinstance(user, User)


def can_watch_issue(user: Viewer, issue: IntegrationIssue) -> bool:
    return isinstance(user, User)
