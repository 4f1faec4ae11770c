"""Who may do what in the collaboration hub; used by REST, GraphQL and the web pages alike."""

from typing import Any

from nexus.accounts.models import Team, TeamMembership
from nexus.collab.models import Api, EndpointFeedback, IntegrationIssue


def _member_of(user: Any, team_id: int | None) -> bool:
    if team_id is None:
        return False
    return TeamMembership.objects.filter(team_id=team_id, user_id=user.pk).exists()


def can_register_api(user: Any) -> bool:
    return bool(user.is_authenticated)


def can_maintain_api(user: Any, api: Api) -> bool:
    """Admins, the owning team's members, or (for an API without a team) whoever registered it."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    if api.team_id is None:
        return api.created_by_id == user.pk
    return _member_of(user, api.team_id)


def can_act_for_team(user: Any, team: Team) -> bool:
    return bool(user.is_authenticated and (user.is_admin or _member_of(user, team.pk)))


def can_give_feedback(user: Any) -> bool:
    return bool(user.is_authenticated)


def can_edit_feedback(user: Any, feedback: EndpointFeedback) -> bool:
    return bool(user.is_authenticated and feedback.author_id == user.pk)


def can_reply_to_feedback(user: Any, feedback: EndpointFeedback) -> bool:
    return can_maintain_api(user, feedback.api)


def can_file_issue(user: Any) -> bool:
    return bool(user.is_authenticated)


def can_triage_issue(user: Any, issue: IntegrationIssue) -> bool:
    """Status, assignee and labels: the API's maintainers, mentors and admins."""
    return bool(user.is_authenticated and (user.is_moderator or can_maintain_api(user, issue.api)))


def can_edit_issue(user: Any, issue: IntegrationIssue) -> bool:
    """Title, body and kind: the reporter, or anyone who triages."""
    if not user.is_authenticated:
        return False
    return issue.reporter_id == user.pk or can_triage_issue(user, issue)


def can_comment_on_issue(user: Any) -> bool:
    return bool(user.is_authenticated)
