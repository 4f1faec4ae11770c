"""Web pages of the journal: month view, entries, milestones, reviews and dashboards."""

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from nexus.accounts.models import User
from nexus.core import clock, months
from nexus.core.auth import authenticated_user
from nexus.core.htmx import render_page
from nexus.journal import analytics, evidence, policies, selectors
from nexus.journal.forms import CohortForm, EntryForm, ProgressForm, ReflectionForm, ReviewForm
from nexus.journal.models import Cohort, MilestoneProgress, MilestoneStatus
from nexus.mentorship import analytics as mentorship_analytics
from nexus.mentorship import policies as mentorship_policies
from nexus.mentorship import selectors as mentorship_selectors

PAGE_SIZE = 20


def _month(value: str | None) -> date:
    if not value:
        return clock.first_of_this_month()
    try:
        return months.parse_month(value)
    except ValueError as exc:
        raise Http404("No such month.") from exc


def _shift(month: date, by: int) -> date:
    index = month.year * 12 + month.month - 1 + by
    return date(index // 12, index % 12 + 1, 1)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _month_context(request: HttpRequest, author: User, month: date) -> dict[str, Any]:
    viewer = request.user
    start, _end = selectors.month_bounds(month)
    entries = selectors.entries_in_month(viewer=viewer, author=author, month=month)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    minutes = sum(entry.minutes_spent for entry in page.object_list)
    return {
        "author": author,
        "month": month,
        "previous_month": _shift(month, -1),
        "next_month": _shift(month, 1) if _shift(month, 1) <= clock.today() else None,
        "page": page,
        "hours": round(minutes / 60, 1),
        "reflection": selectors.reflection_for(viewer=viewer, author=author, month=start),
        "is_own": viewer.is_authenticated and viewer.pk == author.pk,
    }


def _default_date(month: date) -> date:
    """Today for the current month, otherwise the month's last day."""
    today = clock.today()
    _, end = selectors.month_bounds(month)
    return today if end > today else end - timedelta(days=1)


def _month_page(request: HttpRequest, user: User, month: date, **overrides: Any) -> dict[str, Any]:
    context = _month_context(request, user, month)
    start, end = selectors.month_bounds(month)
    reflection = context["reflection"]
    fields = ("went_well", "was_hard", "to_change", "visibility")
    context.update(
        form=EntryForm(initial={"date": _default_date(month)}),
        reflection_form=ReflectionForm(
            initial={name: getattr(reflection, name) for name in fields} if reflection else None
        ),
        evidence=evidence.gather(user, start, end),
        cohort=selectors.cohort_of(learner=user),
    )
    context.update(overrides)
    return context


@login_required
def month_view(request: HttpRequest) -> HttpResponse:
    """My worklog for one month, with the new-entry form, evidence and my reflection."""
    user = authenticated_user(request)
    context = _month_page(request, user, _month(request.GET.get("month")))
    return render_page(request, "journal/month.html", "journal/partials/worklog.html", context)


@login_required
@require_POST
def entry_create(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    form = EntryForm(request.POST)
    entry = form.create(user) if form.is_valid() else None
    is_htmx = bool(getattr(request, "htmx", False))
    if entry is not None and not is_htmx:
        messages.success(request, "Entry saved.")
        return redirect(f"{reverse('journal:month')}?month={entry.date:%Y-%m}")
    month = entry.date.replace(day=1) if entry else _month(request.GET.get("month"))
    if entry is not None:
        form = EntryForm(initial={"date": entry.date})
    context = _month_page(request, user, month, form=form)
    if is_htmx:
        # htmx swaps only 2xx answers, so a form with errors comes back as 200 in place.
        return render(request, "journal/partials/worklog.html", context)
    return render(request, "journal/month.html", context, status=400)


def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    """One entry, if the viewer may see it (a 404 otherwise: private entries do not exist)."""
    entry = selectors.entry_get(viewer=request.user, entry_id=entry_id)
    if entry is None:
        raise Http404("No such entry.")
    can_edit = policies.can_edit_journal_item(request.user, entry)
    return render(request, "journal/entry.html", {"entry": entry, "can_edit": can_edit})


@login_required
def entry_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = authenticated_user(request)
    entry = selectors.entry_get(viewer=user, entry_id=entry_id)
    if entry is None:
        raise Http404("No such entry.")
    # The form is offered only to whom the service would let save it.
    _require(policies.can_edit_journal_item(user, entry))
    initial = {
        "date": entry.date,
        "body": entry.body,
        "minutes_spent": entry.minutes_spent,
        "confidence": entry.confidence,
        "visibility": entry.visibility,
        "topics": [t.slug for t in entry.topics.all()],
    }
    form = EntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and form.update(entry, user):
        messages.success(request, "Entry updated.")
        return redirect("journal:entry", entry_id=entry.pk)
    status = 400 if form.errors else 200
    return render(request, "journal/entry_edit.html", {"entry": entry, "form": form}, status=status)


@login_required
@require_POST
def reflection_save(request: HttpRequest, month: str) -> HttpResponse:
    user = authenticated_user(request)
    first = _month(month)
    form = ReflectionForm(request.POST)
    if form.is_valid() and form.save(user, first):
        messages.success(request, f"Your reflection on {first:%B %Y} is saved.")
        return redirect(f"{reverse('journal:month')}?month={first:%Y-%m}")
    context = _month_page(request, user, first, reflection_form=form)
    return render(request, "journal/month.html", context, status=400)


def person(request: HttpRequest, user_id: int) -> HttpResponse:
    """Someone's worklog for a month: only the entries the viewer may see."""
    author = get_object_or_404(User, pk=user_id, is_active=True)
    context = _month_context(request, author, _month(request.GET.get("month")))
    return render_page(request, "journal/person.html", "journal/partials/worklog.html", context)


@login_required
def milestones(request: HttpRequest) -> HttpResponse:
    """My milestones: status, links and evidence; submit for review."""
    user = authenticated_user(request)
    rows = (
        selectors.progress_list(viewer=user)
        .filter(learner=user)
        .prefetch_related(mentorship_selectors.thread_prefetch())
    )
    today = clock.today()
    offered = evidence.gather(user, date(today.year - 1, today.month, 1), _shift(today, 1))
    items = [
        (
            progress,
            ProgressForm(
                offered=offered, initial=_progress_initial(progress), prefix=str(progress.pk)
            ),
        )
        for progress in rows
    ]
    # The tabs open on the first milestone still to do.
    current_index = next(
        (
            index
            for index, (progress, _) in enumerate(items)
            if progress.status != MilestoneStatus.DONE
        ),
        0,
    )
    context = {
        "items": items,
        "cohort": selectors.cohort_of(learner=user),
        "current_index": current_index,
    }
    return render(request, "journal/milestones.html", context)


def _progress_initial(progress: MilestoneProgress) -> dict[str, Any]:
    return {
        "status": progress.status,
        "repository_url": progress.repository_url,
        "deployed_url": progress.deployed_url,
        "note": progress.note,
        "evidence": [item.get("url") for item in progress.evidence],
    }


@login_required
@require_POST
def milestone_update(request: HttpRequest, progress_id: int) -> HttpResponse:
    user = authenticated_user(request)
    progress = selectors.progress_get(viewer=user, progress_id=progress_id)
    if progress is None:
        raise Http404("No such milestone.")
    # Mentors see the milestone but get no form for it, not even one sent back with errors.
    _require(policies.can_update_progress(user, progress))
    today = clock.today()
    offered = evidence.gather(user, date(today.year - 1, today.month, 1), _shift(today, 1))
    form = ProgressForm(request.POST, offered=offered, prefix=str(progress.pk))
    if form.is_valid() and form.save(progress, user):
        messages.success(request, f"{progress.milestone} saved.")
        # Back on the tab of the milestone just saved.
        return redirect(f"{reverse('journal:milestones')}#milestone-{progress.pk}")
    context = {
        "items": [(progress, form)],
        "cohort": selectors.cohort_of(learner=user),
        "current_index": 0,
    }
    return render(request, "journal/milestones.html", context, status=400)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Submitted milestones waiting for this mentor: their own learners' (admins: everyone's)."""
    user = authenticated_user(request)
    _require(user.is_moderator)
    waiting = selectors.review_queue(mentor=user)
    page = Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [(progress, ReviewForm(prefix=str(progress.pk))) for progress in page.object_list]
    return render(request, "journal/review.html", {"page": page, "items": items})


@login_required
@require_POST
def review(request: HttpRequest, progress_id: int) -> HttpResponse:
    user = authenticated_user(request)
    progress = selectors.progress_get(viewer=user, progress_id=progress_id)
    if progress is None:
        raise Http404("No such milestone.")
    # Nor is a review form shown back, with its errors, to someone who may not review.
    _require(policies.can_review_progress(user, progress))
    form = ReviewForm(request.POST, prefix=str(progress.pk))
    if form.is_valid() and form.save(progress, user):
        messages.success(
            request, f"Review of {progress.learner.display_name}'s {progress.milestone} saved."
        )
        return redirect("journal:review_queue")
    return render(
        request, "journal/review.html", {"page": None, "items": [(progress, form)]}, status=400
    )


def _charts_context(charts: list[analytics.Chart], urls: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "chart": chart,
            "id": f"chart-{chart.name}",
            "data_id": f"chart-{chart.name}-data",
            "data": chart.as_dict(),
            "json_url": urls[chart.name],
            "csv_url": f"{urls[chart.name]}?format=csv",
        }
        for chart in charts
    ]


@login_required
def learner_dashboard(request: HttpRequest) -> HttpResponse:
    """Activity, streak, milestones and topics; mentors see a learner's with ?learner=id."""
    user = authenticated_user(request)
    learner = user
    if request.GET.get("learner"):
        learner = get_object_or_404(User, pk=request.GET["learner"])
    _require(policies.can_view_learner_dashboard(user, learner))
    key = "me" if learner.pk == user.pk else str(learner.pk)
    charts = [function(learner) for function in analytics.LEARNER_CHARTS.values()]
    urls = {
        chart.name: reverse("analytics-learner", kwargs={"learner": key, "chart": name})
        for name, chart in zip(analytics.LEARNER_CHARTS, charts, strict=True)
    }
    context = {
        "learner": learner,
        "streak": analytics.learner_streak(learner),
        "charts": _charts_context(charts, urls),
        "cohort": selectors.cohort_of(learner=learner),
    }
    return render(request, "journal/dashboard.html", context)


@login_required
def cohort_list(request: HttpRequest) -> HttpResponse:
    """Cohorts (current or archived) and, for mentors and admins, a form to start one."""
    user = authenticated_user(request)
    _require(user.is_moderator)
    archived = request.GET.get("archived") == "1"
    cohorts = selectors.cohorts_visible_to(viewer=user, archived=archived)
    page = Paginator(cohorts, PAGE_SIZE).get_page(request.GET.get("page"))
    form = CohortForm(initial={"start_date": clock.today()})
    context = {"page": page, "cohorts": page.object_list, "archived": archived, "form": form}
    return render(request, "journal/cohorts.html", context)


@login_required
def cohort_dashboard(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Milestone completion per learner, who is quiet, and which technologies are covered."""
    cohort = get_object_or_404(selectors.cohort_list(), pk=cohort_id)
    _require(policies.can_view_cohort_dashboard(request.user, cohort))
    context = cohort_dashboard_context(cohort)
    if mentorship_policies.can_view_cohort_scores(request.user, cohort):
        context["charts"] += _rubric_charts(cohort)
    return render(request, "journal/cohort_dashboard.html", context)


def _rubric_charts(cohort: Cohort) -> list[dict[str, Any]]:
    """Mentorship's rubric charts of the cohort, for its mentors and admins."""
    charts = [function(cohort) for function in mentorship_analytics.RUBRIC_CHARTS.values()]
    urls = {
        chart.name: reverse(
            "analytics-cohort-rubrics", kwargs={"cohort_id": cohort.pk, "chart": chart.name}
        )
        for chart in charts
    }
    return _charts_context(charts, urls)


def cohort_dashboard_context(cohort: Cohort) -> dict[str, Any]:
    """The cohort dashboard's data: one query per chart (the benchmark times exactly this)."""
    charts = [function(cohort) for function in analytics.COHORT_CHARTS.values()]
    urls = {
        chart.name: reverse("analytics-cohort", kwargs={"cohort_id": cohort.pk, "chart": name})
        for name, chart in zip(analytics.COHORT_CHARTS, charts, strict=True)
    }
    inactive = next(chart for chart in charts if chart.name == "cohort-inactive")
    return {
        "cohort": cohort,
        "charts": _charts_context(charts, urls),
        "inactive": list(zip(inactive.labels, inactive.datasets[0].data, strict=True)),
    }


@login_required
def program_analytics(request: HttpRequest) -> HttpResponse:
    _require(policies.can_view_program_analytics(request.user))
    charts = [function() for function in analytics.PROGRAM_CHARTS.values()]
    urls = {
        chart.name: reverse("analytics-program", kwargs={"chart": name})
        for name, chart in zip(analytics.PROGRAM_CHARTS, charts, strict=True)
    }
    context = {"charts": _charts_context(charts, urls)}
    return render(request, "journal/analytics.html", context)


def program_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "programs": selectors.program_list(),
        "can_set_review": mentorship_policies.can_set_program_article_review(user),
        "review_required": mentorship_selectors.program_ids_requiring_article_review(),
    }
    return render(request, "journal/programs.html", context)
