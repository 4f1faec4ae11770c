"""Web pages of cohorts, without the admin site: start one, its people and mentors, invite
links, and the join page an invitation opens."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from nexus.accounts.models import User
from nexus.core import clock
from nexus.core.auth import authenticated_user
from nexus.journal import policies, selectors, services
from nexus.journal.forms import CohortEditForm, CohortForm, InvitationForm
from nexus.journal.models import Cohort, CohortMembership, InvitationState
from nexus.journal.services.cohorts import INVITATION_REFUSALS, invitation_from_token


def _managed_cohort(request: HttpRequest, cohort_id: int) -> tuple[User, Cohort]:
    """The signed-in manager and the cohort of the URL (404 unseen, 403 not theirs to manage)."""
    user = authenticated_user(request)
    cohort = get_object_or_404(selectors.cohort_list(), pk=cohort_id)
    if not policies.can_view_cohort(user, cohort):
        raise Http404("No such cohort.")
    if not policies.can_manage_cohort(user, cohort):
        raise PermissionDenied("Only the cohort's mentors and admins manage it.")
    return user, cohort


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _back(cohort: Cohort) -> HttpResponse:
    return redirect("journal:cohort", cohort_id=cohort.pk)


@login_required
@require_POST
def cohort_create(request: HttpRequest) -> HttpResponse:
    """Start a cohort from the list page's form; its errors are shown back there."""
    user = authenticated_user(request)
    if not policies.can_create_cohort(user):
        raise PermissionDenied("Only mentors and admins start cohorts.")
    form = CohortForm(request.POST)
    cohort = form.save(user) if form.is_valid() else None
    if cohort is not None:
        messages.success(request, f"Cohort {cohort.name} started.")
        return _back(cohort)
    page = selectors.cohorts_visible_to(viewer=user, archived=False)[:20]
    context = {"cohorts": page, "form": form, "archived": False}
    return render(request, "journal/cohorts.html", context, status=400)


def cohort_page_context(user: User, cohort: Cohort, **forms: Any) -> dict[str, Any]:
    """What the cohort page shows: members with their mentors, mentors, invitations."""
    now = clock.now()
    invitations = [
        (invitation, invitation.state(now))
        for invitation in selectors.cohort_invitations(cohort=cohort)[:50]
    ]
    cohort_mentors = list(cohort.mentors.order_by("display_name"))
    return {
        "cohort": cohort,
        "members": list(selectors.cohort_members(cohort=cohort)),
        "cohort_mentors": cohort_mentors,
        "candidates": list(
            User.objects.filter(is_active=True, role__in=["mentor", "admin"]).order_by(
                "display_name"
            )[:200]
        ),
        "invitations": invitations,
        "open_state": InvitationState.OPEN,
        "edit_form": forms.get("edit_form")
        or CohortEditForm(
            initial={
                "name": cohort.name,
                "start_date": cohort.start_date,
                "description": cohort.description,
            }
        ),
        "invitation_form": forms.get("invitation_form") or InvitationForm(),
    }


@login_required
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """The cohort's people: members and their mentors, mentors, invitations; add people."""
    user, cohort = _managed_cohort(request, cohort_id)
    return render(request, "journal/cohort.html", cohort_page_context(user, cohort))


@login_required
@require_POST
def cohort_edit(request: HttpRequest, cohort_id: int) -> HttpResponse:
    user, cohort = _managed_cohort(request, cohort_id)
    form = CohortEditForm(request.POST)
    if form.is_valid() and form.save(cohort, user):
        messages.success(request, "Cohort saved.")
        return _back(cohort)
    context = cohort_page_context(user, cohort, edit_form=form)
    return render(request, "journal/cohort.html", context, status=400)


@login_required
@require_POST
def cohort_archive(request: HttpRequest, cohort_id: int) -> HttpResponse:
    user, cohort = _managed_cohort(request, cohort_id)
    archived = request.POST.get("archived") != "0"
    services.cohort_archive(cohort=cohort, actor=user, archived=archived)
    messages.success(request, "Cohort archived." if archived else "Cohort restored.")
    return _back(cohort)


def _chosen_people(request: HttpRequest, allowed: list[User]) -> list[User]:
    """The people ticked among those offered; anything else is refused (a 400 by its message)."""
    by_id = {str(user.pk): user for user in allowed}
    chosen = request.POST.getlist("mentors")
    unknown = [value for value in chosen if value not in by_id]
    if unknown:
        raise ValidationError({"mentors": ["Choose among the people offered."]})
    return [by_id[value] for value in chosen]


@login_required
@require_POST
def cohort_mentors(request: HttpRequest, cohort_id: int) -> HttpResponse:
    user, cohort = _managed_cohort(request, cohort_id)
    candidates = list(User.objects.filter(is_active=True, role__in=["mentor", "admin"]))
    try:
        mentors = _chosen_people(request, candidates)
        services.cohort_set_mentors(cohort=cohort, actor=user, mentors=mentors)
    except ValidationError as exc:
        _flash_errors(request, exc)
        return _back(cohort)
    messages.success(request, "Mentors saved.")
    return _back(cohort)


@login_required
def people_search(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """People to add, by name or e-mail (an htmx partial under the search box)."""
    _, cohort = _managed_cohort(request, cohort_id)
    query = request.GET.get("q", "")[:100]
    people = selectors.people_search(query=query, exclude_cohort=cohort)
    context = {"cohort": cohort, "people": people, "query": query}
    return render(request, "journal/partials/people_search.html", context)


def _membership(cohort: Cohort, user_id: int) -> CohortMembership:
    return get_object_or_404(selectors.cohort_members(cohort=cohort), learner_id=user_id)


@login_required
@require_POST
def member_add(request: HttpRequest, cohort_id: int) -> HttpResponse:
    user, cohort = _managed_cohort(request, cohort_id)
    learner = get_object_or_404(User, pk=request.POST.get("user", ""), is_active=True)
    try:
        services.cohort_add_learner(actor=user, cohort=cohort, learner=learner)
    except ValidationError as exc:
        _flash_errors(request, exc)
        return _back(cohort)
    messages.success(request, f"{learner.display_name} is in {cohort.name}.")
    return _back(cohort)


@login_required
@require_POST
def member_mentors(request: HttpRequest, cohort_id: int, user_id: int) -> HttpResponse:
    user, cohort = _managed_cohort(request, cohort_id)
    membership = _membership(cohort, user_id)
    try:
        mentors = _chosen_people(request, list(cohort.mentors.all()))
        services.membership_set_mentors(membership=membership, actor=user, mentors=mentors)
    except ValidationError as exc:
        _flash_errors(request, exc)
        return _back(cohort)
    messages.success(request, f"Mentors of {membership.learner.display_name} saved.")
    return _back(cohort)


@login_required
@require_POST
def member_remove(request: HttpRequest, cohort_id: int, user_id: int) -> HttpResponse:
    user, cohort = _managed_cohort(request, cohort_id)
    membership = _membership(cohort, user_id)
    services.cohort_remove_learner(actor=user, cohort=cohort, learner=membership.learner)
    messages.success(request, f"{membership.learner.display_name} left {cohort.name}.")
    return _back(cohort)


@login_required
@require_POST
def invitation_create(request: HttpRequest, cohort_id: int) -> HttpResponse:
    user, cohort = _managed_cohort(request, cohort_id)
    form = InvitationForm(request.POST)
    if form.is_valid() and form.save(cohort, user):
        messages.success(request, "Invite link made: copy it from the list below.")
        return _back(cohort)
    context = cohort_page_context(user, cohort, invitation_form=form)
    return render(request, "journal/cohort.html", context, status=400)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, cohort_id: int, invitation_id: int) -> HttpResponse:
    user, cohort = _managed_cohort(request, cohort_id)
    invitation = get_object_or_404(selectors.cohort_invitations(cohort=cohort), pk=invitation_id)
    services.invitation_revoke(invitation=invitation, actor=user)
    messages.success(request, "Invitation withdrawn: its link no longer works.")
    return _back(cohort)


def join(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invite link opens: the cohort, and a button to join it (after signing up or
    logging in, which come back here); a link that no longer works says why."""
    try:
        invitation = invitation_from_token(token)
    except ValidationError as exc:
        return render(request, "journal/join.html", {"problem": exc.messages[0]}, status=404)
    cohort = invitation.cohort
    state = invitation.state(clock.now())
    user = request.user if isinstance(request.user, User) else None
    current = selectors.membership_of(learner=user) if user else None
    already = current is not None and current.cohort_id == cohort.pk
    if request.method == "POST" and user is not None:
        try:
            services.invitation_accept(token=token, user=user)
        except (ValidationError, PermissionDenied) as exc:
            refusal = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            context = {"cohort": cohort, "problem": refusal, "token": token}
            return render(request, "journal/join.html", context, status=400)
        messages.success(request, f"Welcome to {cohort.name}!")
        return redirect("journal:milestones")
    if request.method == "POST":
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    problem = None if already else INVITATION_REFUSALS.get(state)
    if problem is None and not already and cohort.is_archived:
        problem = "This cohort is archived: it takes no new learners."
    context = {
        "cohort": cohort,
        "invitation": invitation,
        "token": token,
        "already": already,
        "moving_from": current.cohort if current and not already else None,
        "problem": problem,
    }
    return render(request, "journal/join.html", context, status=410 if problem else 200)
