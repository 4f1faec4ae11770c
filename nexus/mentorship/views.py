"""Mentorship's web pages: rubrics, the rubric of each milestone, and a milestone's review thread
(where its mentors score it)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from nexus.core.auth import authenticated_user
from nexus.journal import selectors as journal_selectors
from nexus.journal.models import MilestoneProgress, MilestoneStatus
from nexus.mentorship import policies, selectors
from nexus.mentorship.models import Decision, RubricVersion
from nexus.mentorship.models.rubrics import MAX_CRITERIA
from nexus.mentorship.services import milestones as milestone_services
from nexus.mentorship.services import rubrics as rubric_services


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


def _criteria_rows(version: RubricVersion | None, post: Any) -> list[dict[str, Any]]:
    """Each criterion of the form with its levels, and what was posted for it (kept on an error)."""
    if version is None:
        return []
    return [
        {
            "position": position,
            "name": criterion["name"],
            "scale": criterion["scale"],
            "levels": [(str(score), text) for score, text in enumerate(criterion["levels"], 1)],
            "chosen": post.get(f"score-{position}", ""),
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
        return {
            "form" if field == NON_FIELD_ERRORS else field: " ".join(errors)
            for field, errors in exc.message_dict.items()
        }
    except milestone_services.ReviewConflict as conflict:
        return {"form": f"{conflict} ({conflict.review.reviewer.display_name})."}
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
        "criteria": _criteria_rows(version, request.POST),
        "may_review": may_review,
        "errors": errors,
        "posted": request.POST,
        "decisions": Decision.choices,
    }
    return render(
        request, "mentorship/milestone_thread.html", context, status=400 if errors else 200
    )


BLANK_CRITERIA_ROWS = 2


def _criteria_from(post: Any) -> list[dict[str, Any]]:
    """The criteria rows of the rubric form (a row with no name is left out)."""
    rows = []
    for index in range(MAX_CRITERIA):
        name = post.get(f"criterion-{index}-name", "").strip()
        if not name:
            continue
        levels = post.get(f"criterion-{index}-levels", "").strip()
        rows.append(
            {
                "name": name,
                "scale": post.get(f"criterion-{index}-scale", ""),
                "levels": [line.strip() for line in levels.splitlines()] if levels else [],
            }
        )
    return rows


def _form_rows(criteria: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    blank = {"name": "", "scale": 4, "levels": []}
    rows = [*criteria, *[blank] * BLANK_CRITERIA_ROWS][:MAX_CRITERIA]
    return list(enumerate(rows))


@login_required
def rubric_list(request: HttpRequest) -> HttpResponse:
    """Rubrics with their current version; mentors and admins add and edit them."""
    user = authenticated_user(request)
    if not policies.can_view_rubrics(user):
        raise PermissionDenied
    context = {
        "rubrics": selectors.rubric_list_with_versions(include_archived=user.is_moderator),
        "may_edit": policies.can_edit_rubric(user),
    }
    return render(request, "mentorship/rubric_list.html", context)


@login_required
def rubric_edit(request: HttpRequest, rubric_id: int | None = None) -> HttpResponse:
    """Create a rubric, or edit one (a change of criteria is saved as a new version)."""
    user = authenticated_user(request)
    if not policies.can_edit_rubric(user):
        raise PermissionDenied
    rubric = None
    if rubric_id is not None:
        rubric = (
            selectors.rubric_list_with_versions(include_archived=True).filter(pk=rubric_id).first()
        )
        if rubric is None:
            raise Http404("No such rubric.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        name = request.POST.get("name", "")
        description = request.POST.get("description", "")
        criteria = _criteria_from(request.POST)
        try:
            if rubric is None:
                rubric = rubric_services.rubric_create(
                    actor=user, name=name, description=description, criteria=criteria
                )
            else:
                rubric_services.rubric_update(
                    actor=user, rubric=rubric, name=name, description=description, criteria=criteria
                )
                rubric_services.rubric_archive(
                    actor=user, rubric=rubric, archived=request.POST.get("archived") == "on"
                )
        except ValidationError as exc:
            errors = {field: " ".join(texts) for field, texts in exc.message_dict.items()}
        else:
            messages.success(request, f"Rubric {rubric.name} saved.")
            return redirect("mentorship:rubric_edit", rubric.pk)
    versions = list(rubric.versions.all()) if rubric else []
    current = versions[0].criteria if versions else []
    context = {
        "rubric": rubric,
        "versions": versions,
        "rows": _form_rows(_criteria_from(request.POST) if errors else current),
        "posted": request.POST if errors else {},
        "errors": errors,
    }
    return render(request, "mentorship/rubric_edit.html", context, status=400 if errors else 200)


@login_required
def milestone_rubrics(request: HttpRequest) -> HttpResponse:
    """Which rubric scores each programme milestone; mentors and admins choose."""
    user = authenticated_user(request)
    if not policies.can_set_milestone_rubric(user):
        raise PermissionDenied
    milestones = list(journal_selectors.milestone_list().select_related("rubric_link"))
    rubrics = list(selectors.rubric_list())
    if request.method == "POST":
        by_id = {rubric.pk: rubric for rubric in rubrics}
        for milestone in milestones:
            chosen = request.POST.get(f"milestone-{milestone.pk}", "")
            rubric = by_id.get(int(chosen)) if chosen.isdigit() else None
            current = getattr(milestone, "rubric_link", None)
            if (current.rubric_id if current else None) != (rubric.pk if rubric else None):
                milestone_services.milestone_rubric_set(
                    actor=user, milestone=milestone, rubric=rubric
                )
        messages.success(request, "Milestone rubrics saved.")
        return redirect("mentorship:milestone_rubrics")
    rows = [
        (milestone, getattr(getattr(milestone, "rubric_link", None), "rubric_id", None))
        for milestone in milestones
    ]
    return render(request, "mentorship/milestone_rubrics.html", {"rows": rows, "rubrics": rubrics})
