"""Web pages: integration issues, their board, and their workflow."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from nexus.collab import policies, selectors
from nexus.collab.forms import CommentForm, IssueForm, IssueStatusForm, IssueTriageForm
from nexus.collab.models import Api, IntegrationIssue, IssueKind, IssueStatus, SpecChange
from nexus.collab.services import issues as issue_services
from nexus.core.auth import authenticated_user
from nexus.core.htmx import render_page

PAGE_SIZE = 25
BOARD_COLUMN_SIZE = 30


def _filtered(request: HttpRequest) -> tuple[QuerySet[IntegrationIssue], dict[str, str]]:
    issues = selectors.issue_list()
    filters = {}
    if (status := request.GET.get("status")) in IssueStatus.values:
        issues, filters["status"] = issues.filter(status=status), status
    if (kind := request.GET.get("kind")) in IssueKind.values:
        issues, filters["kind"] = issues.filter(kind=kind), kind
    if api := request.GET.get("api"):
        issues, filters["api"] = issues.filter(api__slug=api), api
    if label := request.GET.get("label"):
        issues, filters["label"] = issues.filter(labels__name=label), label
    return issues, filters


def issue_list(request: HttpRequest) -> HttpResponse:
    issues, filters = _filtered(request)
    page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "statuses": IssueStatus.choices,
        "kinds": IssueKind.choices,
        "apis": Api.objects.order_by("name").values_list("slug", "name"),
    }
    return render_page(
        request, "collab/issue_list.html", "collab/partials/issue_rows.html", context
    )


def issue_board(request: HttpRequest) -> HttpResponse:
    issues, filters = _filtered(request)
    columns = [
        (value, label, list(issues.filter(status=value)[:BOARD_COLUMN_SIZE]))
        for value, label in IssueStatus.choices
    ]
    return render(request, "collab/issue_board.html", {"columns": columns, "filters": filters})


@login_required
def issue_create(request: HttpRequest, slug: str) -> HttpResponse:
    api = get_object_or_404(Api, slug=slug)
    change = None
    if change_id := request.GET.get("change") or request.POST.get("change"):
        change = get_object_or_404(
            SpecChange.objects.select_related("version"), pk=change_id, version__api=api
        )
    keys = list(
        selectors.api_operations(api=api).order_by("key").values_list("key", flat=True).distinct()
    )
    initial = {}
    if change is not None:
        initial = {
            "title": f"Breaking change: {change.detail}"[:200],
            "kind": IssueKind.CONTRACT_MISMATCH,
            "operation_key": change.operation_key,
            "body": f"Version {change.version.number} of {api.name}: {change.detail}",
        }
    elif request.GET.get("operation"):
        initial = {"operation_key": request.GET["operation"]}
    form = IssueForm(request.POST or None, initial=initial, operation_keys=keys)
    if request.method == "POST" and form.is_valid():
        issue = form.save(authenticated_user(request), api, change)
        if issue:
            messages.success(request, "Issue filed.")
            return redirect("collab:issue_detail", issue.pk)
    return render(request, "collab/issue_form.html", {"form": form, "api": api, "change": change})


def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(selectors.issue_detail(), pk=pk)
    user = request.user
    can_triage = policies.can_triage_issue(user, issue)
    allowed = sorted(issue_services.TRANSITIONS.get(issue.status, set()))
    labels = ", ".join(label.name for label in issue.labels.all())
    context = {
        "issue": issue,
        "can_triage": can_triage,
        "next_statuses": [(s, IssueStatus(s).label) for s in allowed],
        "comment_form": CommentForm(),
        "triage_form": IssueTriageForm(initial={"assignee": issue.assignee, "labels": labels}),
        "watching": user.is_authenticated and any(w.pk == user.pk for w in issue.watchers.all()),
    }
    return render_page(
        request, "collab/issue_detail.html", "collab/partials/issue_body.html", context
    )


def _issue_for_write(request: HttpRequest, pk: int) -> IntegrationIssue:
    return get_object_or_404(IntegrationIssue.objects.select_related("api"), pk=pk)


@login_required
@require_POST
def issue_status(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_for_write(request, pk)
    user = authenticated_user(request)
    if not policies.can_triage_issue(user, issue):
        raise PermissionDenied
    form = IssueStatusForm(request.POST)
    if not (form.is_valid() and form.save(user, issue)):
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("collab:issue_detail", issue.pk)


@login_required
@require_POST
def issue_triage(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_for_write(request, pk)
    user = authenticated_user(request)
    if not policies.can_triage_issue(user, issue):
        raise PermissionDenied
    form = IssueTriageForm(request.POST)
    if not (form.is_valid() and form.save(user, issue)):
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("collab:issue_detail", issue.pk)


@login_required
@require_POST
def issue_comment(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_for_write(request, pk)
    form = CommentForm(request.POST)
    if not (form.is_valid() and form.save(authenticated_user(request), issue)):
        messages.error(request, "A comment needs some text.")
    return redirect("collab:issue_detail", issue.pk)


@login_required
@require_POST
def issue_watch(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_for_write(request, pk)
    issue_services.issue_watch_set(
        issue=issue, user=authenticated_user(request), watching=request.POST.get("watch") == "1"
    )
    return redirect("collab:issue_detail", issue.pk)
