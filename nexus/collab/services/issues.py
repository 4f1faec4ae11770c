"""Integration issues: filing, the status workflow with its history, comments, watchers."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from nexus.accounts.models import User
from nexus.collab import policies
from nexus.collab.models import (
    Api,
    IntegrationIssue,
    IssueComment,
    IssueEvent,
    IssueKind,
    IssueLabel,
    IssueLabelling,
    IssueStatus,
    IssueWatch,
    Operation,
    SpecChange,
    SpecVersion,
)
from nexus.collab.services.common import KEEP, Keep
from nexus.core import conditional, events
from nexus.core.markdown import render_markdown

S = IssueStatus
TRANSITIONS: dict[str, set[str]] = {
    S.OPEN: {S.TRIAGED, S.IN_PROGRESS, S.WONT_FIX, S.CLOSED},
    S.TRIAGED: {S.IN_PROGRESS, S.OPEN, S.WONT_FIX},
    S.IN_PROGRESS: {S.RESOLVED, S.TRIAGED},
    S.RESOLVED: {S.CLOSED, S.IN_PROGRESS},
    S.CLOSED: {S.OPEN},
    S.WONT_FIX: {S.OPEN},
}
MAX_LABELS = 10


def _labels(names: Sequence[str]) -> list[IssueLabel]:
    cleaned = sorted({name.strip().lower()[:40] for name in names if name.strip()})
    if len(cleaned) > MAX_LABELS:
        raise ValidationError({"labels": [f"Use at most {MAX_LABELS} labels."]})
    return [IssueLabel.objects.get_or_create(name=name)[0] for name in cleaned]


def _check_operation(api: Api, operation_key: str) -> None:
    if operation_key and not Operation.objects.filter(api=api, key=operation_key).exists():
        raise ValidationError({"operation": ["Not an operation of this API."]})


@transaction.atomic
def issue_create(
    *,
    reporter: User,
    api: Api,
    title: str,
    body: str = "",
    kind: str = IssueKind.BUG,
    operation_key: str = "",
    spec_version: SpecVersion | None = None,
    change: SpecChange | None = None,
    labels: Sequence[str] | None = None,
) -> IntegrationIssue:
    """File an issue against an API, optionally an operation, a version and a detected change."""
    if not policies.can_file_issue(reporter):
        raise PermissionDenied("Sign in to file an issue.")
    if change is not None:
        if change.version.api_id != api.pk:
            raise ValidationError({"change": ["This change belongs to another API."]})
        spec_version = spec_version or change.version
        operation_key = operation_key or change.operation_key
    if spec_version is not None and spec_version.api_id != api.pk:
        raise ValidationError({"spec_version": ["This version belongs to another API."]})
    _check_operation(api, operation_key)
    issue = IntegrationIssue(
        api=api,
        title=title.strip(),
        body=body,
        body_html=render_markdown(body).html if body else "",
        kind=kind,
        operation_key=operation_key,
        spec_version=spec_version,
        change=change,
        reporter=reporter,
    )
    issue.full_clean()
    issue.save()
    for label in _labels(labels or []):
        IssueLabelling.objects.create(issue=issue, label=label)
    IssueWatch.objects.create(issue=issue, user=reporter)
    IssueEvent.objects.create(issue=issue, actor=reporter, field="created", new_value=issue.status)
    events.publish(
        "integration_issue.created",
        subject=issue,
        actor=reporter,
        payload={
            "api": api.slug,
            "title": issue.title,
            "url": _url(issue),
            "author_id": reporter.pk,
            "follow_targets": [["collab.api", api.slug]],
        },
    )
    return issue


def _url(issue: IntegrationIssue) -> str:
    return reverse("collab:issue_detail", args=[issue.pk])


def _display(value: object) -> str:
    if isinstance(value, User):
        return value.display_name
    return "" if value is None else str(value)[:300]


@transaction.atomic
def issue_update(
    *,
    issue: IntegrationIssue,
    actor: User,
    expected_etag: str | None = None,
    title: str | None = None,
    body: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    assignee: User | Keep | None = KEEP,
    labels: Sequence[str] | None = None,
) -> IntegrationIssue:
    """Change an issue (None keeps a field, KEEP the assignee) along the status workflow,
    recording history; a stale expected_etag changes nothing."""
    if status is not None or labels is not None or not isinstance(assignee, Keep):
        if not policies.can_triage_issue(actor, issue):
            verb = "move" if status is not None else "triage"
            raise PermissionDenied(f"You may not {verb} this issue.")
    elif not policies.can_edit_issue(actor, issue):
        raise PermissionDenied("You may not edit this issue.")
    changes: dict[str, object] = {
        name: value
        for name, value in (("title", title), ("body", body), ("kind", kind), ("status", status))
        if value is not None
    }
    if not isinstance(assignee, Keep):
        changes["assignee"] = assignee
    issue = IntegrationIssue.objects.select_for_update().get(pk=issue.pk)
    conditional.check_if_match(expected_etag, issue)
    allowed_next = TRANSITIONS.get(issue.status, set())
    if status is not None and status != issue.status and status not in allowed_next:
        allowed = ", ".join(sorted(allowed_next))
        raise ValidationError(
            {"status": [f"An issue that is {issue.status} can move to: {allowed}."]}
        )
    history = []
    if labels is not None:
        before = sorted(issue.labels.values_list("name", flat=True))
        chosen = _labels(labels)
        after = sorted(label.name for label in chosen)
        if before != after:
            IssueLabelling.objects.filter(issue=issue).delete()
            IssueLabelling.objects.bulk_create(
                IssueLabelling(issue=issue, label=label) for label in chosen
            )
            history.append(("labels", ", ".join(before), ", ".join(after)))
    for name, value in changes.items():
        old = getattr(issue, name)
        if old != value:
            history.append((name, _display(old), _display(value)))
            setattr(issue, name, value)
    if not history:
        return issue
    issue.body_html = render_markdown(issue.body).html if issue.body else ""
    issue.full_clean()
    issue.save()
    IssueEvent.objects.bulk_create(
        IssueEvent(issue=issue, actor=actor, field=field, old_value=old, new_value=new)
        for field, old, new in history
    )
    changed = {field for field, _, _ in history}
    if issue.assignee_id:
        IssueWatch.objects.get_or_create(issue=issue, user_id=issue.assignee_id)
    if "assignee" in changed and issue.assignee_id and issue.assignee_id != actor.pk:
        events.publish(
            "integration_issue.assigned",
            subject=issue,
            actor=actor,
            payload={
                "recipient_ids": [issue.assignee_id],
                "title": f"{issue.title} is assigned to you",
                "url": _url(issue),
            },
        )
    if "status" in changed:
        title = f"{issue.title} is now {issue.get_status_display().lower()}"
        _tell_watchers(issue, actor, "integration_issue.status_changed", title)
    if changed - {"status", "assignee"}:
        _tell_watchers(issue, actor, "integration_issue.updated", f"{issue.title} was updated")
    return issue


def _tell_watchers(issue: IntegrationIssue, actor: User, name: str, title: str) -> None:
    recipients = list(
        IssueWatch.objects.filter(issue=issue).exclude(user=actor).values_list("user_id", flat=True)
    )
    events.publish(
        name,
        subject=issue,
        actor=actor,
        payload={"recipient_ids": recipients, "title": title, "url": _url(issue)},
    )


@transaction.atomic
def issue_comment_create(*, issue: IntegrationIssue, author: User, body: str) -> IssueComment:
    """Comment on an issue; the commenter starts watching it."""
    if not policies.can_comment_on_issue(author, issue):
        raise PermissionDenied("Sign in to comment.")
    comment = IssueComment(
        issue=issue, author=author, body=body.strip(), body_html=render_markdown(body).html
    )
    comment.full_clean()
    comment.save()
    IssueWatch.objects.get_or_create(issue=issue, user=author)
    _tell_watchers(issue, author, "integration_issue.commented", f"New comment on {issue.title}")
    return comment


@transaction.atomic
def issue_watch_set(*, issue: IntegrationIssue, user: User, watching: bool) -> None:
    """Start or stop watching an issue."""
    if not policies.can_watch_issue(user, issue):
        raise PermissionDenied("Sign in to watch an issue.")
    if watching:
        IssueWatch.objects.get_or_create(issue=issue, user=user)
    else:
        IssueWatch.objects.filter(issue=issue, user=user).delete()
