"""The search page (htmx swaps the results) and the autocomplete partial for the nav box."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from nexus.core.htmx import render_page
from nexus.core.pagecache import public_cache
from nexus.search import selectors
from nexus.search.forms import SearchForm, encode_cursor

FACET_TITLES = {
    "type": "Type",
    "technology": "Technology",
    "tag": "Tag",
    "status": "Status",
    "author": "Author",
    "year": "Year",
}
FACET_PARAMS = {"type": "type", "technology": "technology", "tag": "tag", "status": "status"}


def _url(params: dict[str, list[str]]) -> str:
    return "?" + urlencode([(name, value) for name, values in params.items() for value in values])


@require_GET
@public_cache("search", "knowledge", "challenges", "collab", "people")
def search_page(request: HttpRequest) -> HttpResponse:
    """Results, facets and pages for `?q=`; field errors next to the box on bad input."""
    form = SearchForm(request.GET)
    context: dict[str, object] = {"form": form, "results": None, "facet_groups": []}
    if form.is_valid() and form.cleaned_data.get("q"):
        found = selectors.search(user=request.user, **form.search_kwargs())
        current = {name: request.GET.getlist(name) for name in request.GET if name != "cursor"}
        groups = []
        for kind, counts in found.facets.items():
            param = FACET_PARAMS.get(kind)
            if not counts or param is None:
                continue
            links = []
            for count in counts:
                chosen = count.value in current.get(param, [])
                values = [v for v in current.get(param, []) if v != count.value]
                if not chosen:
                    values.append(count.value)
                links.append(
                    {"facet": count, "chosen": chosen, "url": _url({**current, param: values})}
                )
            groups.append({"title": FACET_TITLES[kind], "links": links})
        context |= {
            "results": found,
            "facet_groups": groups,
            "next_url": (
                _url({**current, "cursor": [encode_cursor(found.offset + found.limit)]})
                if found.has_next
                else None
            ),
            "previous_url": (
                _url({**current, "cursor": [encode_cursor(max(0, found.offset - found.limit))]})
                if found.has_previous
                else None
            ),
            "types": selectors.document_types(),
            "corrected_url": (
                _url({**current, "q": [found.corrected_query]}) if found.corrected_query else None
            ),
        }
    return render_page(request, "search/search.html", "search/partials/results.html", context)


@require_GET
@public_cache("search", "knowledge", "challenges", "collab", "people")
def autocomplete(request: HttpRequest) -> HttpResponse:
    """Suggestions for the search box as the user types (an htmx partial)."""
    suggestions = selectors.autocomplete(user=request.user, q=request.GET.get("q", ""))
    return render(request, "search/partials/autocomplete.html", {"suggestions": suggestions})
