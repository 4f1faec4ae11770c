"""Mentorship's web pages: a milestone's review thread, where its mentors score it."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from nexus.core.auth import authenticated_user
from nexus.journal import selectors as journal_selectors
from nexus.journal.models import MilestoneProgress, MilestoneStatus
from nexus.mentorship import policies, selectors
from nexus.mentorship.models import Decision, RubricVersion
from nexus.mentorship.services import milestones as milestone_services


def _scores_from(post: Any, version: RubricVersion | None) -> list[dict[str, str]]:
    if version is None:
        return []
    return [
        {
            "criterion": criterion["name"],
            "score": post.get(f"score-{position}", ""),
            "comment": post.get(f"comment-{position}", ""),
        }
        for position, criterion in enumerate(version.criteria)
    ]


def _review(
    request: HttpRequest, progress: MilestoneProgress, version: RubricVersion | None
) -> dict[str, Any]:
    """Save the posted review; returns the errors to show next to the fields (none on success)."""
    decision = request.POST.get("decision", "")
    try:
        milestone_services.milestone_review(
            progress=progress,
            reviewer=authenticated_user(request),
            decision=decision,
            comment=request.POST.get("comment", ""),
            scores=_scores_from(request.POST, version),
        )
    except ValidationError as exc:
        return {field: " ".join(errors) for field, errors in exc.message_dict.items()}
    except milestone_services.ReviewConflict as conflict:
        return {"__all__": f"{conflict} ({conflict.review.reviewer.display_name})."}
    verdict = "approved" if decision == Decision.APPROVED else "sent back for changes"
    messages.success(request, f"{progress.milestone} {verdict}.")
    return {}


@login_required
def milestone_thread(request: HttpRequest, progress_id: int) -> HttpResponse:
    """Every submission of a milestone and its review; its mentors score the open one here."""
    user = authenticated_user(request)
    progress = journal_selectors.progress_get(viewer=user, progress_id=progress_id)
    if progress is None:
        raise Http404("No such milestone.")
    if not policies.can_view_milestone_thread(user, progress):
        raise PermissionDenied
    version = selectors.milestone_rubric_version(milestone=progress.milestone)
    may_review = (
        policies.can_review_milestone(user, progress)
        and progress.status == MilestoneStatus.SUBMITTED
    )
    errors: dict[str, Any] = {}
    if request.method == "POST":
        if not may_review:
            raise PermissionDenied
        errors = _review(request, progress, version)
        if not errors:
            return redirect("mentorship:milestone_thread", progress.pk)
    context = {
        "progress": progress,
        "rounds": selectors.milestone_thread(progress=progress),
        "version": version,
        "criteria": list(enumerate(version.criteria)) if version else [],
        "may_review": may_review,
        "errors": errors,
        "posted": request.POST,
        "decisions": Decision.choices,
    }
    return render(
        request, "mentorship/milestone_thread.html", context, status=400 if errors else 200
    )
