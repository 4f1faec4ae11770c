"""The knowledge home, technology pages, the reading list and learning paths."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from nexus.accounts.home import member_home
from nexus.core.auth import authenticated_user
from nexus.core.htmx import render_page
from nexus.core.markdown import highlight_css as highlight_stylesheet
from nexus.core.pagecache import public_cache
from nexus.knowledge import selectors, services
from nexus.knowledge.forms import LearningPathForm
from nexus.knowledge.models import ArticleKind, LearningPath
from nexus.knowledge.policies import can_create_path
from nexus.knowledge.views.common import cursor_page

HOME_RECENT = 8


@public_cache("knowledge", "people")
def home(request: HttpRequest) -> HttpResponse:
    """Visitors: recent articles, popular this week, and the technology taxonomy (shared through
    the page cache). Signed-in users: their own home, never stored."""
    if request.user.is_authenticated:
        return _member_home(request)
    context = {
        "recent": list(selectors.published_articles()[:HOME_RECENT]),
        "popular": selectors.popular_this_week(),
        "categories": selectors.category_list(),
    }
    return render(request, "knowledge/home.html", context)


def _member_home(request: HttpRequest) -> HttpResponse:
    """What is new in what the user follows, their open challenges, next milestone, first steps."""
    user = authenticated_user(request)
    context = {"home": member_home(user=user)}
    response = render(request, "accounts/home.html", context)
    # Someone's own page: no shared cache or browser history may keep it.
    patch_cache_control(response, private=True, no_store=True)
    return response


@public_cache("knowledge", "people")
def technology_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "knowledge/technology_list.html", {"categories": selectors.category_list()}
    )


@public_cache("knowledge", "people")
def technology_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A technology: its description, its articles grouped by kind, related technologies."""
    technology = selectors.technology_get(slug=slug)
    if technology is None:
        raise Http404("No such technology.")
    articles = selectors.published_articles().filter(technologies=technology)
    by_kind: dict[str, list[object]] = {}
    for article in articles[:200]:
        by_kind.setdefault(article.kind, []).append(article)
    sections = [(label, by_kind[value]) for value, label in ArticleKind.choices if value in by_kind]
    context = {"technology": technology, "sections": sections}
    return render(request, "knowledge/technology_detail.html", context)


@login_required
def bookmark_list(request: HttpRequest) -> HttpResponse:
    """The reading list."""
    user = authenticated_user(request)
    page = cursor_page(request, selectors.bookmark_list(user=user), ("-created_at", "-id"))
    return render_page(
        request,
        "knowledge/bookmark_list.html",
        "knowledge/partials/bookmark_page.html",
        {"page": page},
    )


def path_list(request: HttpRequest) -> HttpResponse:
    page = cursor_page(request, selectors.path_list(), ("-created_at", "-id"))
    context = {"page": page, "can_create": can_create_path(request.user)}
    return render_page(
        request, "knowledge/path_list.html", "knowledge/partials/path_page.html", context
    )


@login_required
def path_create(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    # The page is the action: it is not shown to whom the service would refuse.
    if not can_create_path(user):
        raise PermissionDenied
    form = LearningPathForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (path := form.create(user)):
        messages.success(request, "Learning path created.")
        return redirect("knowledge:path", slug=path.slug)
    return render(request, "knowledge/path_form.html", {"form": form})


def path_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A path's articles in order; signed-in learners see their progress and where to resume."""
    path = _path(request, slug)
    steps = list(path.steps.all())
    done = [step for step in steps if getattr(step, "done", False)]
    resume = next((step for step in steps if not getattr(step, "done", False)), None)
    context = {"path": path, "steps": steps, "done_count": len(done), "resume": resume}
    return render_page(
        request, "knowledge/path_detail.html", "knowledge/partials/path_steps.html", context
    )


@login_required
@require_POST
def path_step_toggle(request: HttpRequest, slug: str, article_slug: str) -> HttpResponse:
    user = authenticated_user(request)
    path = _path(request, slug)
    step = next((s for s in path.steps.all() if s.article.slug == article_slug), None)
    if step is None:
        raise Http404("That article is not part of this path.")
    services.path_step_mark(
        user=user, path=path, article=step.article, done=not getattr(step, "done", False)
    )
    if not getattr(request, "htmx", False):
        return redirect("knowledge:path", slug=path.slug)
    return path_detail(request, slug)


def _path(request: HttpRequest, slug: str) -> LearningPath:
    path = selectors.path_get(slug=slug, user=request.user)
    if path is None or not path.is_published:
        raise Http404("No such learning path.")
    return path


@require_GET
@cache_control(public=True, max_age=24 * 60 * 60)
def highlight_css(request: HttpRequest) -> HttpResponse:
    """The code-highlighting stylesheet for rendered Markdown (light and dark)."""
    return HttpResponse(highlight_stylesheet(), content_type="text/css; charset=utf-8")
