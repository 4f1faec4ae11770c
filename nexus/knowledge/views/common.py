"""Helpers the knowledge pages share: cursor pages and article look-ups with policies."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from rest_framework.request import Request

from nexus.core.pagination import CursorPagination
from nexus.knowledge import selectors
from nexus.knowledge.models import Article
from nexus.knowledge.policies import can_view_article

PAGE_SIZE = 20


@dataclass
class Page:
    items: list[Any]
    next_url: str | None
    previous_url: str | None


def cursor_page(
    request: HttpRequest, queryset: QuerySet[Any], ordering: tuple[str, ...], size: int = PAGE_SIZE
) -> Page:
    """One page of a queryset, with cursor links that keep the other query parameters."""
    paginator = CursorPagination()
    paginator.ordering = ordering  # type: ignore[assignment]
    paginator.page_size = size
    items = paginator.paginate_queryset(queryset, Request(request)) or []
    return Page(list(items), paginator.get_next_link(), paginator.get_previous_link())


def visible_article(request: HttpRequest, slug: str) -> Article:
    """The article by slug, 404 if missing, 403 if the user may not see it."""
    article = selectors.article_find(slug=slug)
    if article is None:
        raise Http404("No such article.")
    if not can_view_article(request.user, article):
        raise PermissionDenied
    return article
