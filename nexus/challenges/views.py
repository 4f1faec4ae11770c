"""Web pages: lists, the new-challenge form with suggestions, a challenge with its solutions,
votes, acceptance, comments, the leaderboard and a user's challenge profile."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from rest_framework.request import Request

from nexus.accounts.models import User
from nexus.challenges import policies, selectors, services
from nexus.challenges.api import ChallengePagination
from nexus.challenges.filters import SORT_CHOICES, ChallengeFilter, ordering_for
from nexus.challenges.forms import ChallengeForm, CommentForm, DuplicateForm, SolutionForm
from nexus.challenges.models import Challenge, ChallengeStatus, Comment, Solution
from nexus.challenges.similarity import similar_challenges
from nexus.core import months
from nexus.core.auth import authenticated_user
from nexus.core.htmx import render_page
from nexus.core.pagecache import public_cache
from nexus.knowledge import selectors as knowledge_selectors

PAGE_SIZE = 20
TABS = [("newest", "Newest"), ("unanswered", "Unanswered"), *SORT_CHOICES[1:]]


class TabPagination(ChallengePagination):
    """The API's cursor pages, ordered by the page's tab instead of `?sort=`."""

    page_size = PAGE_SIZE

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        return ordering_for(request.query_params.get("tab"))


@public_cache("challenges", "knowledge", "people")
def challenge_list(request: HttpRequest) -> HttpResponse:
    """Challenges by tab (newest, unanswered, most voted, recently solved), technology and tag."""
    params = request.GET.copy()
    tab = params.get("tab", "newest")
    if tab == "unanswered":
        params["unanswered"] = "true"
    elif tab in ("votes", "solved", "bounty"):
        params["sort"] = tab
    filters = ChallengeFilter(params, queryset=selectors.challenge_list(), request=request)
    if not filters.is_valid():
        return render(request, "400.html", status=400)
    paginator = TabPagination()
    page: list[Challenge] | None = paginator.paginate_queryset(filters.qs, Request(request))
    context = {
        "challenges": page,
        "next_url": paginator.get_next_link(),
        "tab": tab,
        "tabs": TABS,
        "filters": filters,
        "technologies": knowledge_selectors.technology_list(),
    }
    return render_page(
        request, "challenges/list.html", "challenges/partials/challenge_rows.html", context
    )


@login_required
def challenge_create(request: HttpRequest) -> HttpResponse:
    form = ChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        challenge = form.save(authenticated_user(request))
        if challenge is not None:
            messages.success(request, "Your challenge is posted.")
            return redirect(challenge)
    # A refused challenge comes back with its field errors as a 400.
    status = 400 if request.method == "POST" else 200
    return render(request, "challenges/new.html", {"form": form}, status=status)


@require_GET
def similar(request: HttpRequest) -> HttpResponse:
    """Suggestions while a title is typed: solved ones first."""
    text = (request.GET.get("title") or request.GET.get("q") or "")[:300]
    found = similar_challenges(text=text, limit=5)
    return render(request, "challenges/partials/similar.html", {"similar": found, "text": text})


def _challenge_or_404(challenge_id: int) -> Challenge:
    challenge = selectors.challenge_get(pk=challenge_id)
    if challenge is None:
        raise Http404
    return challenge


@public_cache("challenges", "knowledge", "people")
def challenge_detail(request: HttpRequest, challenge_id: int) -> HttpResponse:
    challenge = _challenge_or_404(challenge_id)
    return render(request, "challenges/detail.html", _detail_context(request, challenge))


def _detail_context(
    request: HttpRequest, challenge: Challenge, solution_form: SolutionForm | None = None
) -> dict[str, Any]:
    solutions = selectors.solutions_for_page(challenge=challenge)
    my_vote, solution_votes = selectors.user_votes(
        user=request.user, challenge=challenge, solutions=solutions
    )
    for solution in solutions:
        solution.my_vote = solution_votes.get(solution.pk, 0)  # type: ignore[attr-defined]
        solution.can_vote = policies.can_vote(request.user, solution)  # type: ignore[attr-defined]
        solution.can_review = (  # type: ignore[attr-defined]
            solution.outdated_since is not None
            and policies.can_edit_solution(request.user, solution)
        )
    user = request.user
    may_close = policies.can_close_challenge(user, challenge)
    may_mark_duplicate = policies.can_mark_duplicate(user, challenge)
    status = challenge.status
    return {
        "challenge": challenge,
        "solutions": solutions,
        "my_vote": my_vote,
        "can_vote": policies.can_vote(user, challenge),
        "can_accept": policies.can_accept(user, challenge),
        # A solved challenge is finished, not closed: only an open one offers Close, and Reopen
        # only where the service would reopen (a duplicate by those who mark duplicates).
        "can_close": may_close and status == ChallengeStatus.OPEN,
        "can_reopen": may_close
        and (
            status == ChallengeStatus.CLOSED
            or (status == ChallengeStatus.DUPLICATE and may_mark_duplicate)
        ),
        "can_mark_duplicate": may_mark_duplicate and status != ChallengeStatus.DUPLICATE,
        "comment_threads": selectors.challenge_comment_threads(challenge=challenge),
        "solution_form": solution_form or SolutionForm(),
        "duplicate_form": DuplicateForm(),
        "similar": similar_challenges(text=challenge.title, limit=5, exclude_id=challenge.pk),
    }


def _vote_value(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("value", ""))
    except ValueError:
        return 99  # not a vote: the service answers with a field error


@login_required
@require_POST
def challenge_vote(request: HttpRequest, challenge_id: int) -> HttpResponse:
    challenge = get_object_or_404(Challenge, pk=challenge_id)
    value = _vote_value(request)
    try:
        challenge = services.challenge_vote(
            challenge=challenge, user=authenticated_user(request), value=value
        )
    except ValidationError:
        return HttpResponse("Vote 1, -1 or 0.", status=400)
    context = {"item": challenge, "kind": "challenge", "my_vote": value, "can_vote": True}
    return render_page(
        request, "challenges/vote_done.html", "challenges/partials/vote.html", context
    )


@login_required
@require_POST
def solution_vote(request: HttpRequest, solution_id: int) -> HttpResponse:
    solution = get_object_or_404(Solution, pk=solution_id)
    value = _vote_value(request)
    try:
        solution = services.solution_vote(
            solution=solution, user=authenticated_user(request), value=value
        )
    except ValidationError:
        return HttpResponse("Vote 1, -1 or 0.", status=400)
    context = {"item": solution, "kind": "solution", "my_vote": value, "can_vote": True}
    return render_page(
        request, "challenges/vote_done.html", "challenges/partials/vote.html", context
    )


@login_required
@require_POST
def solution_accept(request: HttpRequest, solution_id: int) -> HttpResponse:
    solution = get_object_or_404(Solution.objects.select_related("challenge"), pk=solution_id)
    undo = bool(request.POST.get("undo"))
    try:
        services.challenge_apply_changes(
            challenge=solution.challenge,
            actor=authenticated_user(request),
            accepted_solution=None if undo else solution.pk,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(solution)
    done = "The solution is no longer accepted." if undo else "Solution accepted: it is solved."
    messages.success(request, done)
    return redirect(solution)


@login_required
@require_POST
def solution_review(request: HttpRequest, solution_id: int) -> HttpResponse:
    """The author confirms a flagged solution is still right; only this clears the flag."""
    solution = get_object_or_404(Solution, pk=solution_id)
    services.solution_mark_reviewed(solution=solution, actor=authenticated_user(request))
    messages.success(request, "Marked as reviewed.")
    return redirect(solution)


@login_required
@require_POST
def solution_create(request: HttpRequest, challenge_id: int) -> HttpResponse:
    challenge = _challenge_or_404(challenge_id)
    form = SolutionForm(request.POST)
    if form.is_valid() and (solution := form.save(challenge, authenticated_user(request))):
        messages.success(request, "Your solution is posted.")
        return redirect(solution)
    context = _detail_context(request, challenge, solution_form=form)
    return render(request, "challenges/detail.html", context, status=400)


@login_required
@require_POST
def comment_create(request: HttpRequest, challenge_id: int) -> HttpResponse:
    challenge = get_object_or_404(Challenge, pk=challenge_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a comment first.")
        return redirect(challenge)
    solution = _in_challenge(Solution, form.cleaned_data["solution"], challenge)
    parent = _in_challenge(Comment, form.cleaned_data["parent"], challenge)
    try:
        comment = services.comment_create(
            challenge=challenge,
            solution=solution,
            parent=parent,
            author=authenticated_user(request),
            body=form.cleaned_data["body"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(challenge)
    return redirect(f"{challenge.get_absolute_url()}#comment-{comment.pk}")


def _in_challenge(model: Any, pk: int | None, challenge: Challenge) -> Any:
    if pk is None:
        return None
    return get_object_or_404(model, pk=pk, challenge=challenge)


@login_required
@require_POST
def challenge_status(request: HttpRequest, challenge_id: int) -> HttpResponse:
    """Close, reopen, or (mentors) mark as a duplicate."""
    challenge = get_object_or_404(Challenge, pk=challenge_id)
    status = request.POST.get("status", "")
    target_id = None
    if status == ChallengeStatus.DUPLICATE:
        form = DuplicateForm(request.POST)
        target_id = form.cleaned_data["duplicate_of"] if form.is_valid() else None
    try:
        services.challenge_apply_changes(
            challenge=challenge,
            actor=authenticated_user(request),
            status=status,
            duplicate_of=target_id,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(challenge)


def leaderboard(request: HttpRequest) -> HttpResponse:
    technology_slug = request.GET.get("technology") or ""
    month_text = request.GET.get("month") or ""
    technology = None
    if technology_slug:
        technology = knowledge_selectors.technology_list().filter(slug=technology_slug).first()
        if technology is None:
            raise Http404
    try:
        month = months.parse_month(month_text) if month_text else None
    except ValueError:
        return render(request, "400.html", status=400)
    context = {
        "rows": selectors.leaderboard(technology=technology, month=month),
        "technologies": knowledge_selectors.technology_list(),
        "technology": technology,
        "month": month_text,
    }
    return render(request, "challenges/leaderboard.html", context)


def user_profile(request: HttpRequest, user_id: int) -> HttpResponse:
    """A user's reputation, challenges and solutions."""
    person = get_object_or_404(User, pk=user_id, is_active=True)
    context = {
        "person": person,
        "reputation": selectors.reputation_of(user=person),
        "challenges": selectors.challenge_list()
        .filter(author=person)
        .order_by("-created_at", "-id")[:PAGE_SIZE],
        "solutions": selectors.solution_list()
        .filter(author=person)
        .order_by("-created_at", "-id")[:PAGE_SIZE],
    }
    return render(request, "challenges/user.html", context)


@login_required
def my_challenges(request: HttpRequest) -> HttpResponse:
    return redirect("challenges:user", user_id=authenticated_user(request).pk)
