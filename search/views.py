"""The global search: the top bar's dropdown (htmx, as you type) and its results page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.htmx import HtmxHttpRequest
from search import selectors

KIND_LIMIT = 100  # "see all" of a kind that has no list of its own (opportunities)


@login_required
@require_GET
def search(request: HtmxHttpRequest):
    """`/search/?q=…`: every kind's first records, grouped, with their counts (bookmarkable);
    `&kind=…` one kind's first KIND_LIMIT. Asked by the top bar as you type, the dropdown."""
    query = selectors.clean_query(request.GET.get("q"))
    if request.htmx and not request.htmx.boosted:
        groups = selectors.global_search(
            user=request.user, query=query, limit=selectors.DROPDOWN_LIMIT
        )
        return render(
            request,
            "search/_dropdown.html",
            {
                "query": query,
                "groups": groups,
                "found": sum(group.total for group in groups),
                "searchable": selectors.is_searchable(query),
            },
        )
    kind = request.GET.get("kind", "")
    kind = kind if kind in selectors.SEARCHES else ""
    groups = selectors.global_search(
        user=request.user,
        query=query,
        limit=KIND_LIMIT if kind else selectors.PAGE_LIMIT,
        kinds=(kind,) if kind else (),
    )
    return render(
        request,
        "search/search_results.html",
        {
            "query": query,
            "kind": kind,
            "groups": groups,
            "found": sum(group.total for group in groups),
            "searchable": selectors.is_searchable(query),
        },
    )
