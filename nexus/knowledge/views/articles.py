"""Article pages: read, write with live preview, history, diff, revert, and interactions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from nexus.core.auth import authenticated_user
from nexus.core.htmx import render_page
from nexus.core.pagecache import public_cache
from nexus.knowledge import reviews, selectors, services
from nexus.knowledge.filters import ArticleFilter
from nexus.knowledge.forms import ArticleForm, CommentForm
from nexus.knowledge.models import Article, ArticleKind, Comment
from nexus.knowledge.policies import can_create_article, can_edit_article, can_interact
from nexus.knowledge.rendering import render_article_body
from nexus.knowledge.views.common import cursor_page, visible_article


@public_cache("knowledge", "people")
def article_list(request: HttpRequest) -> HttpResponse:
    """Published articles with filters (kind, technology, tag, title words)."""
    filterset = ArticleFilter(
        request.GET, queryset=selectors.article_list(user=request.user), request=request
    )
    if not filterset.is_valid():
        return render(request, "400.html", status=400)
    articles = filterset.qs.defer("body", "body_html", "toc")
    page = cursor_page(request, articles, ("-created_at", "-id"))
    context = {
        "page": page,
        "filter": filterset,
        "kinds": ArticleKind.choices,
        "technologies": selectors.technology_list(),
    }
    return render_page(
        request, "knowledge/article_list.html", "knowledge/partials/article_page.html", context
    )


@public_cache("knowledge", "people")
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = visible_article(request, slug)
    context = {
        "article": article,
        "can_edit": can_edit_article(request.user, article),
        "can_interact": can_interact(request.user, article),
        "reacted": selectors.user_reacted(article=article, user=request.user),
        "bookmarked": selectors.user_bookmarked(article=article, user=request.user),
        "backlinks": selectors.articles_linking_to(article=article),
        "threads": selectors.comment_threads(article=article),
        "comment_form": CommentForm(),
        "review_panel": reviews.review_panel(request.user, article),
    }
    return render(request, "knowledge/article_detail.html", context)


@login_required
def article_create(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    # The page is the action: it is not shown to whom the service would refuse.
    if not can_create_article(user):
        raise PermissionDenied
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (article := form.create(user)):
        messages.success(request, "Article saved.")
        return redirect("knowledge:article", slug=article.slug)
    # A refused article comes back with its field errors as a 400.
    status = 400 if request.method == "POST" else 200
    return render(
        request, "knowledge/article_form.html", {"form": form, "article": None}, status=status
    )


@login_required
def article_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The editor; saving over a newer version answers 409 with what changed meanwhile."""
    user = authenticated_user(request)
    article = visible_article(request, slug)
    # The editor page is the action: it is not shown to whom the service would refuse.
    if not can_edit_article(user, article):
        raise PermissionDenied
    if request.method != "POST":
        form = ArticleForm(initial=ArticleForm.initial_for(article))
        return render(request, "knowledge/article_form.html", {"form": form, "article": article})
    form = ArticleForm(request.POST)
    if form.is_valid():
        try:
            saved = form.update(article, user)
        except services.ArticleVersionConflict as conflict:
            return _conflict(request, form, article, conflict)
        if saved is not None:
            messages.success(request, f"Saved as version {saved.version}.")
            return redirect("knowledge:article", slug=saved.slug)
    return render(request, "knowledge/article_form.html", {"form": form, "article": article})


def _conflict(
    request: HttpRequest,
    form: ArticleForm,
    article: Article,
    conflict: services.ArticleVersionConflict,
) -> HttpResponse:
    """Keep the user's text, show what others saved since their version, let them save again."""
    current = conflict.current
    base = selectors.revision_get(article=article, number=conflict.expected_version)
    base_text = (base.title, base.summary, base.body) if base else ("", "", "")
    diff = selectors.text_diff(
        old=base_text,
        new=(current.title, current.summary, current.body),
        old_label=f"version {conflict.expected_version} (yours started here)",
        new_label=f"version {current.version} (saved meanwhile)",
    )
    mine = selectors.text_diff(
        old=(current.title, current.summary, current.body),
        new=(form.cleaned_data["title"], form.cleaned_data["summary"], form.cleaned_data["body"]),
        old_label=f"version {current.version}",
        new_label="your text",
    )
    data = request.POST.copy()
    data["version"] = str(current.version)
    kept = ArticleForm(data)
    kept.is_valid()
    context = {
        "form": kept,
        "article": current,
        "conflict": conflict,
        "diff": diff,
        "mine": mine,
    }
    return render(request, "knowledge/article_form.html", context, status=409)


@login_required
@require_POST
def article_preview(request: HttpRequest) -> HttpResponse:
    """The editor's live preview: the body rendered exactly as saving would render it."""
    body = request.POST.get("body", "")
    context: dict[str, object]
    if len(body.encode("utf-8", "surrogatepass")) > services.MAX_BODY_BYTES:
        context = {"too_large": services.MAX_BODY_BYTES // 1024}
    else:
        context = {"rendered": render_article_body(body)}
    return render(request, "knowledge/partials/preview.html", context)


@login_required
@require_POST
def article_review(request: HttpRequest, slug: str) -> HttpResponse:
    """The author confirms a flagged article is still right; only this clears the flag."""
    article = visible_article(request, slug)
    services.article_mark_reviewed(article=article, actor=authenticated_user(request))
    messages.success(request, "Marked as reviewed.")
    return redirect("knowledge:article", slug=article.slug)


@login_required
@require_POST
def article_archive(request: HttpRequest, slug: str) -> HttpResponse:
    article = visible_article(request, slug)
    services.article_archive(article=article, editor=authenticated_user(request))
    messages.success(request, "Article archived. Its history is kept.")
    return redirect("knowledge:article", slug=article.slug)


def article_history(request: HttpRequest, slug: str) -> HttpResponse:
    article = visible_article(request, slug)
    page = cursor_page(request, selectors.revision_list(article=article), ("-number",))
    context = {
        "article": article,
        "page": page,
        "can_edit": can_edit_article(request.user, article),
    }
    return render_page(
        request, "knowledge/article_history.html", "knowledge/partials/revision_page.html", context
    )


def article_diff(request: HttpRequest, slug: str) -> HttpResponse:
    """The difference between any two revisions (?from=n&to=m)."""
    article = visible_article(request, slug)
    try:
        old_number = int(request.GET.get("from", article.version - 1))
        new_number = int(request.GET.get("to", article.version))
    except ValueError:
        return render(request, "400.html", status=400)
    old = get_object_or_404(article.revisions.all(), number=old_number)
    new = get_object_or_404(article.revisions.all(), number=new_number)
    context = {
        "article": article,
        "old": old,
        "new": new,
        "diff": selectors.revision_diff(old=old, new=new),
        "rendered": selectors.revision_rendered_diff(old=old, new=new),
        "can_edit": can_edit_article(request.user, article),
    }
    return render(request, "knowledge/article_diff.html", context)


@login_required
@require_POST
def article_revert(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    article = visible_article(request, slug)
    if selectors.revision_get(article=article, number=number) is None:
        raise Http404("No such revision.")
    try:
        expected = int(request.POST.get("version", article.version))
        saved = services.article_revert(
            article=article,
            editor=authenticated_user(request),
            number=number,
            expected_version=expected,
        )
    except ValueError:
        return render(request, "400.html", status=400)
    except services.ArticleVersionConflict:
        messages.error(request, "Someone saved the article meanwhile; look again before reverting.")
        return redirect("knowledge:history", slug=article.slug)
    messages.success(request, f"Reverted to revision {number} as version {saved.version}.")
    return redirect("knowledge:article", slug=saved.slug)


@login_required
@require_POST
def article_react(request: HttpRequest, slug: str) -> HttpResponse:
    """Toggle "helpful"."""
    user = authenticated_user(request)
    article = visible_article(request, slug)
    if not services.reaction_remove(article=article, user=user):
        services.reaction_add(article=article, user=user)
    return _actions(request, slug)


@login_required
@require_POST
def article_bookmark(request: HttpRequest, slug: str) -> HttpResponse:
    """Toggle the article on the reading list."""
    user = authenticated_user(request)
    article = visible_article(request, slug)
    if not services.bookmark_remove(article=article, user=user):
        services.bookmark_add(article=article, user=user)
    return _actions(request, slug)


def _actions(request: HttpRequest, slug: str) -> HttpResponse:
    if not getattr(request, "htmx", False):
        return redirect("knowledge:article", slug=slug)
    article = visible_article(request, slug)
    context = {
        "article": article,
        "can_interact": True,
        "reacted": selectors.user_reacted(article=article, user=request.user),
        "bookmarked": selectors.user_bookmarked(article=article, user=request.user),
    }
    return render(request, "knowledge/partials/article_actions.html", context)


@login_required
@require_POST
def comment_create(request: HttpRequest, slug: str) -> HttpResponse:
    user = authenticated_user(request)
    article = visible_article(request, slug)
    form = CommentForm(request.POST)
    parent = None
    if form.is_valid() and form.cleaned_data["parent"]:
        parent = article.comments.filter(pk=form.cleaned_data["parent"]).first()
        if parent is None:
            form.add_error(None, "That comment does not exist.")
    if form.is_valid() and form.create(article, user, parent):
        return _comments(request, article, CommentForm())
    return _comments(request, article, form, status=400)


@login_required
@require_POST
def comment_edit(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    user = authenticated_user(request)
    article = visible_article(request, slug)
    comment = get_object_or_404(Comment, pk=comment_id, article=article)
    form = CommentForm(request.POST)
    if form.is_valid() and form.call_service(
        services.comment_update, actor=user, comment=comment, body=form.cleaned_data["body"]
    ):
        return _comments(request, article, CommentForm())
    return _comments(request, article, form, status=400)


@login_required
@require_POST
def comment_remove(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    article = visible_article(request, slug)
    comment = get_object_or_404(Comment, pk=comment_id, article=article)
    services.comment_remove(comment=comment, actor=authenticated_user(request))
    return _comments(request, article, CommentForm())


def _comments(
    request: HttpRequest, article: Article, form: CommentForm, status: int = 200
) -> HttpResponse:
    if not getattr(request, "htmx", False) and status == 200:
        return redirect(f"{article.get_absolute_url()}#comments")
    context = {
        "article": article,
        "threads": selectors.comment_threads(article=article),
        "comment_form": form,
        "can_interact": can_interact(request.user, article),
    }
    if not getattr(request, "htmx", False):
        return render(request, "knowledge/comments_page.html", context, status=status)
    # htmx swaps only 2xx answers, and the field errors must replace the form to be seen.
    return render(request, "knowledge/partials/comments.html", context)
