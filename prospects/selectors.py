"""Reads of the prospect list: its sorts and its page, fast at 100,000 prospects.

Every sort the list offers by default is served by an index (`contacts.Prospect.Meta.indexes`):
name, company, and the next action, stored on the prospect (`Prospect.next_action_at`, kept by
`pipeline.clocks.prospects_next_action_refresh`) rather than read from its opportunities for
every row. The quick search's words are matched with `LIKE '%word%'`, which PostgreSQL serves
from a trigram index (contacts migration 0006). The sorts on an opportunity's amount or
expected date, rarely used, still read the first open opportunity per prospect.
"""

from django.core.paginator import Page, Paginator
from django.db.models import F, OuterRef, QuerySet, Subquery

from pipeline.models import Opportunity
from prospects.filters import OPPORTUNITY_SORTS, SORTS

DEFAULT_SORT = "name"


def prospects_sorted(queryset: QuerySet, *, sort: str | None, user) -> tuple[str, QuerySet]:
    """`queryset` in the order `sort` names (a key of SORTS or OPPORTUNITY_SORTS, "-" for
    descending; anything else is the name order), and the sort actually applied. Prospects
    without a value come last either way; ties are broken by id, so pages never overlap."""
    sort = sort or DEFAULT_SORT
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key == "next_action":
        return sort, queryset.order_by(_nulls_last(F("next_action_at"), descending), "id")
    if key in OPPORTUNITY_SORTS:
        first_open = (
            Opportunity.objects.visible_to(user)
            .filter(prospect=OuterRef("pk"), status=Opportunity.Status.OPEN)
            .order_by("next_action_at", "-created_at")
            .values(OPPORTUNITY_SORTS[key])[:1]
        )
        queryset = queryset.annotate(sort_value=Subquery(first_open))
        return sort, queryset.order_by(_nulls_last(F("sort_value"), descending), "id")
    if key not in SORTS:
        sort, key, descending = DEFAULT_SORT, DEFAULT_SORT, False
    fields = SORTS[key]
    if descending:
        fields = tuple(f"-{name}" for name in fields)
    return sort, queryset.order_by(*fields)


def _nulls_last(expression: F, descending: bool):
    return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)


COUNT_CAP = 1000
MAX_PAGE = 1_000_000


def _page_number(value) -> int | None:
    try:
        number = int(value or 1)
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else None


def prospect_page(queryset: QuerySet, *, page_number, per_page: int) -> Page:
    """One page of the sorted prospects, and how many there are (`page.paginator.count`),
    exactly up to COUNT_CAP and past the page shown; beyond, `page.capped` is set and the count
    is a lower bound ("more than 1,000 prospects": counting 100,000 rows on every page would
    cost more than the page itself).

    The page is read first: a first page with room to spare holds every row, so its length is
    the count (no second query). Otherwise the count reads at most max(COUNT_CAP, the rows up
    to the next page) + 1 index entries. A page past the end shows the last one, as
    `Paginator.get_page` does.
    """
    number = _page_number(page_number)
    if number is None or number > MAX_PAGE:
        # Not a page number, or one far past any list (an OFFSET past a bigint): the exact
        # page of Django's paginator (the last one), as for a page past the end.
        return _exact_page(queryset, per_page, page_number)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page])
    if not rows and number > 1:
        return _exact_page(queryset, per_page, page_number)
    if number == 1 and len(rows) < per_page:
        total, capped = len(rows), False
    else:
        limit = max(COUNT_CAP, offset + 2 * per_page)
        total = queryset.order_by().values("pk")[: limit + 1].count()
        capped = total > limit
        total = min(total, limit)
    paginator = Paginator(queryset, per_page)
    paginator.__dict__["count"] = total  # cached_property: no COUNT of every row
    page = paginator.page(number)
    page.object_list = rows
    page.capped = capped
    return page


def _exact_page(queryset: QuerySet, per_page: int, page_number) -> Page:
    page = Paginator(queryset, per_page).get_page(page_number)
    page.capped = False
    return page
