"""Web pages of article review: the reviewer's queue, an article's rounds, the review page."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from nexus.accounts.models import User
from nexus.core.auth import authenticated_user
from nexus.core.htmx import render_page
from nexus.journal.models import Program
from nexus.knowledge import policies as knowledge_policies
from nexus.knowledge import selectors as knowledge_selectors
from nexus.knowledge.models import Article, ArticleStatus
from nexus.mentorship import policies, selectors
from nexus.mentorship.forms import ReviewCommentForm, ReviewDecisionForm, ReviewRequestForm
from nexus.mentorship.models import ArticleReviewRequest
from nexus.mentorship.services import articles as services

PAGE_SIZE = 20


def _article(request: HttpRequest, slug: str) -> Article:
    article = knowledge_selectors.article_find(slug=slug)
    if article is None or not knowledge_policies.can_view_article(request.user, article):
        raise Http404("No such article.")
    return article


def _round(request: HttpRequest, request_id: int) -> ArticleReviewRequest:
    found = selectors.review_request_get(request_id=request_id)
    if found is None or not policies.can_view_article_review(request.user, found):
        raise Http404("No such review.")
    return found


def _candidates(author: User) -> list[User]:
    """Who the author may ask: anyone who may review them, their mentors first."""
    mentors = list(selectors.reviewer_candidates(author=author))
    return [user for user in mentors if policies.may_review_articles_of(user, author)]


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Articles waiting for the signed-in reviewer."""
    user = authenticated_user(request)
    page = Paginator(selectors.review_queue(reviewer=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "mentorship/review_queue.html", {"page": page})


@login_required
def article_reviews(request: HttpRequest, slug: str) -> HttpResponse:
    """An article's rounds of review, and the author's form to ask for one."""
    user = authenticated_user(request)
    article = _article(request, slug)
    rounds = selectors.review_requests_visible(viewer=user, article=article)
    can_request = (
        policies.can_request_article_review(user, article) and article.status == ArticleStatus.DRAFT
    )
    form = None
    if can_request:
        form = ReviewRequestForm(request.POST or None, candidates=_candidates(article.author))
        if request.method == "POST" and form.is_valid() and (round_ := form.save(article, user)):
            messages.success(request, "Review requested: your reviewers have been told.")
            return redirect("mentorship:article-review", request_id=round_.pk)
    elif request.method == "POST":
        raise PermissionDenied
    status = 400 if request.method == "POST" else 200
    context = {
        "article": article,
        "rounds": rounds,
        "form": form,
        "review_required": selectors.article_review_required(author=article.author),
        "can_set_required": policies.can_require_article_review(user, article.author),
    }
    return render(request, "mentorship/article_reviews.html", context, status=status)


@login_required
@require_POST
def review_setting(request: HttpRequest, slug: str) -> HttpResponse:
    """Require (or stop requiring) a review of the article's author's articles."""
    user = authenticated_user(request)
    article = _article(request, slug)
    required = request.POST.get("required") == "on"
    services.author_article_review_set(actor=user, author=article.author, required=required)
    messages.success(
        request,
        "Articles by this author now need a review before publishing."
        if required
        else "Articles by this author may be published without a review.",
    )
    return redirect("mentorship:article-reviews", slug=article.slug)


@login_required
@require_POST
def program_review_setting(request: HttpRequest, slug: str) -> HttpResponse:
    """Require (or stop requiring) a review of every article by a programme's learners."""
    program = get_object_or_404(Program, slug=slug)
    required = request.POST.get("required") == "on"
    services.program_article_review_set(
        actor=authenticated_user(request), program=program, required=required
    )
    messages.success(
        request,
        f"{program.title}: learners' articles now need a review before publishing."
        if required
        else f"{program.title}: learners may publish without a review.",
    )
    return redirect("journal:programs")


def _review_context(user: User, round_: ArticleReviewRequest, **forms: Any) -> dict[str, Any]:
    article = round_.article
    lines = selectors.body_lines(article.body)
    anchored = selectors.anchor_comments(selectors.review_comments_of(article=article), lines=lines)
    by_line: dict[int, list[selectors.AnchoredComment]] = {}
    for item in anchored:
        if item.line is not None:
            by_line.setdefault(item.line, []).append(item)
    version = selectors.rubric_current_version(rubric=round_.rubric) if round_.rubric else None
    can_decide = round_.is_open and policies.can_decide_article_review(user, round_)
    return {
        "round": round_,
        "article": article,
        "numbered": [(n, text, by_line.get(n, [])) for n, text in enumerate(lines, start=1)],
        "outdated": [item for item in anchored if item.outdated],
        "can_comment": policies.can_comment_on_article_review(user, round_),
        "can_decide": can_decide,
        "can_withdraw": round_.is_open and policies.can_withdraw_article_review(user, round_),
        "decision_form": forms.get("decision_form")
        or (ReviewDecisionForm(version=version) if can_decide else None),
        "comment_form": forms.get("comment_form"),
        "decisions": list(round_.reviews.all()),
    }


@login_required
def review_page(request: HttpRequest, request_id: int) -> HttpResponse:
    """The Markdown with line numbers, comments under their lines, and the decision form."""
    user = authenticated_user(request)
    round_ = _round(request, request_id)
    return render(request, "mentorship/review_page.html", _review_context(user, round_))


@login_required
@require_POST
def comment_add(request: HttpRequest, request_id: int) -> HttpResponse:
    """A comment on a line; htmx gets that line's comments back, others the page."""
    user = authenticated_user(request)
    round_ = _round(request, request_id)
    form = ReviewCommentForm(request.POST)
    if form.is_valid() and form.save(round_, user):
        if getattr(request, "htmx", False):
            context = _review_context(user, round_)
            line = form.cleaned_data["line"]
            row = next((row for row in context["numbered"] if row[0] == line), None)
            return render(
                request,
                "mentorship/partials/review_line.html",
                {**context, "row": row},
            )
        return redirect("mentorship:article-review", request_id=round_.pk)
    return render(
        request,
        "mentorship/review_page.html",
        _review_context(user, round_, comment_form=form),
        status=400,
    )


@login_required
@require_POST
def decide(request: HttpRequest, request_id: int) -> HttpResponse:
    user = authenticated_user(request)
    round_ = _round(request, request_id)
    if not policies.can_decide_article_review(user, round_):
        raise PermissionDenied
    version = selectors.rubric_current_version(rubric=round_.rubric) if round_.rubric else None
    form = ReviewDecisionForm(request.POST, version=version)
    try:
        if form.is_valid() and form.save(round_, user):
            messages.success(request, "Review saved; the author has been told.")
            return redirect("mentorship:article-review", request_id=round_.pk)
    except services.ReviewAlreadyDecided as lost:
        messages.error(request, f"{lost.review.reviewer.display_name} decided this review first.")
        return render_page(
            request,
            "mentorship/review_page.html",
            "mentorship/review_page.html",
            _review_context(user, _round(request, request_id)),
        )
    return render(
        request,
        "mentorship/review_page.html",
        _review_context(user, round_, decision_form=form),
        status=400,
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    user = authenticated_user(request)
    round_ = _round(request, request_id)
    try:
        services.review_withdraw(actor=user, request=round_)
    except ValidationError:
        messages.error(request, "This review is already closed.")
    return redirect("knowledge:article", slug=round_.article.slug)
