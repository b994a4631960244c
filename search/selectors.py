"""The global search: prospects, companies, people, opportunities and quotes found at once.

Each kind is read through its own list's scope (`visible_to`) and its own quick search (the
list's `filter_q`, `contacts.selectors.company_search`), so a record shows here exactly when the
user finds it in that list: the rules of who sees what and of how words, phone numbers and
postal codes match live in one place each. On top of them, a SIREN or SIRET typed whole finds
the companies and prospects that carry it.

One query per kind whatever the number of matches: the first rows and, through a window
function, how many there are in all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Window
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from stdnum.fr import siren as siren_number
from stdnum.fr import siret as siret_number

from contacts.filters import PersonFilter
from contacts.models import Address, Company, Person, Prospect
from contacts.phones import phone_query
from contacts.selectors import company_search
from contacts.text import normalize
from contacts.validators import format_phone
from pipeline.forms import BoardFilter
from pipeline.models import Opportunity
from prospects.filters import ProspectFilter
from quotes.filters import QuoteFilter, with_list_columns
from quotes.models import Quote

MAX_QUERY_LENGTH = 100
MIN_WORD_LENGTH = 2  # one letter matches half the file: not a search yet
DROPDOWN_LIMIT = 5
PAGE_LIMIT = 20

PROSPECTS = "prospects"
COMPANIES = "companies"
PEOPLE = "people"
OPPORTUNITIES = "opportunities"
QUOTES = "quotes"


@dataclass
class Hit:
    """One record found, as the dropdown and the results page show it."""

    title: str
    detail: str
    url: str


@dataclass
class Group:
    """The records of one kind found for the query: the first ones and how many in all."""

    kind: str
    label: str
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    see_all_url: str = ""

    @property
    def more(self) -> int:
        return self.total - len(self.hits)


def clean_query(query: str | None) -> str:
    """What was typed, trimmed and cut to a reasonable length."""
    return " ".join((query or "").split())[:MAX_QUERY_LENGTH]


def is_searchable(query: str) -> bool:
    """Whether `query` names anything: a phone number, a SIREN, or a word of two letters or
    more (punctuation alone or a single letter would list the whole file)."""
    if phone_query(query) or _siren_of(query):
        return True
    return any(len(word) >= MIN_WORD_LENGTH for word in normalize(query).split())


def _siren_of(query: str) -> str:
    """The SIREN a whole SIREN or SIRET typed stands for (spaces allowed), else ""."""
    digits = query.replace(" ", "").replace(".", "")
    if len(digits) == 9 and siren_number.is_valid(digits):
        return digits
    if len(digits) == 14 and siret_number.is_valid(digits):
        return digits[:9]
    return ""


def _list_search(filterset_class, method_name: str, queryset: QuerySet, query: str) -> QuerySet:
    """A list's quick-search method applied on its own. Building the whole FilterSet would read
    every choice list of its form (owners, categories, steps) for nothing; the method itself
    only reads the queryset and the words."""
    method = getattr(filterset_class, method_name)
    return method(filterset_class.__new__(filterset_class), queryset, "q", query)


def _first_with_total(found: QuerySet, limit: int, columns=None) -> tuple[list, int]:
    """The first `limit` records found, in the model's order, with the `columns` the list
    annotates, and how many were found, in one query. The window counts distinct records: the
    searches that join (a person's companies) are read back by id first."""
    model = found.model
    rows = model._default_manager.filter(pk__in=found.order_by().values("pk"))
    if columns is not None:
        rows = columns(rows)
    rows = list(
        rows.annotate(search_total=Window(Count("pk"))).order_by(*model._meta.ordering or ["pk"])[
            :limit
        ]
    )
    return rows, (rows[0].search_total if rows else 0)


def _list_url(name: str, query: str) -> str:
    return f"{reverse(name)}?{urlencode({'q': query})}"


def _search_page_url(query: str, kind: str) -> str:
    return f"{reverse('search')}?{urlencode({'q': query, 'kind': kind})}"


def _phone(value: str) -> str:
    """A number in the national format, kept on one line."""
    return format_phone(value).replace(" ", "\u00a0")


def _join(*parts) -> str:
    return " · ".join(str(p) for p in parts if p)


def _or_siren(visible: QuerySet, found: QuerySet, query: str) -> QuerySet:
    """`found`, and the records of `visible` that carry the SIREN the query names whole."""
    siren = _siren_of(query)
    if not siren:
        return found
    return visible.filter(Q(pk__in=found.values("pk")) | Q(siren=siren))


# --- one function per kind -------------------------------------------------------------------


def search_prospects(user, query: str, limit: int) -> Group:
    visible = Prospect.objects.visible_to(user)
    found = _list_search(ProspectFilter, "filter_q", visible, query)
    found = _or_siren(visible, found, query)
    rows, total = _first_with_total(found, limit)
    return Group(
        kind=PROSPECTS,
        label=_("Prospects"),
        total=total,
        hits=[
            Hit(
                title=p.full_name or p.company_name or f"#{p.pk}",
                detail=_join(p.company_name if p.full_name else "", p.city, _phone(p.phone)),
                url=p.get_absolute_url(),
            )
            for p in rows
        ],
        see_all_url=_list_url("prospect_list", query),
    )


def search_companies(user, query: str, limit: int) -> Group:
    visible = Company.objects.visible_to(user)
    found = company_search(visible, query)
    found = _or_siren(visible, found, query)
    city = Address.objects.filter(company=OuterRef("pk"), is_default=True).values("city")[:1]
    rows, total = _first_with_total(
        found, limit, columns=lambda rows: rows.annotate(city=Subquery(city))
    )
    return Group(
        kind=COMPANIES,
        label=_("Companies"),
        total=total,
        hits=[
            Hit(
                title=c.name,
                detail=_join(c.get_kind_display(), c.city, c.siren),
                url=c.get_absolute_url(),
            )
            for c in rows
        ],
        see_all_url=_list_url("company_list", query),
    )


def search_people(user, query: str, limit: int) -> Group:
    visible = Person.objects.visible_to(user)
    found = _list_search(PersonFilter, "filter_q", visible, query)
    rows, total = _first_with_total(found, limit)
    return Group(
        kind=PEOPLE,
        label=_("People"),
        total=total,
        hits=[
            Hit(
                title=p.full_name,
                detail=_join(p.job_title, p.email, _phone(p.mobile or p.phone)),
                url=p.get_absolute_url(),
            )
            for p in rows
        ],
        see_all_url=_list_url("person_list", query),
    )


def _opportunity_detail(opportunity: Opportunity) -> str:
    """Whose it is and where it stands: "Comptoir Legros · Phone call", "Comptoir Legros · Lost"."""
    client = opportunity.company or opportunity.prospect
    name = getattr(client, "name", "") or getattr(client, "company_name", "") or str(client or "")
    if opportunity.status == Opportunity.Status.OPEN and opportunity.step:
        where = opportunity.step.label
    else:
        where = capfirst(opportunity.get_status_display())
    return _join(name, where)


def search_opportunities(user, query: str, limit: int) -> Group:
    visible = Opportunity.objects.visible_to(user)
    found = _list_search(BoardFilter, "filter_search", visible, query)
    rows, total = _first_with_total(
        found, limit, columns=lambda rows: rows.select_related("prospect", "company", "step")
    )
    return Group(
        kind=OPPORTUNITIES,
        label=_("Opportunities"),
        total=total,
        hits=[
            Hit(title=o.summary, detail=_opportunity_detail(o), url=o.get_absolute_url())
            for o in rows
        ],
        see_all_url=_search_page_url(query, OPPORTUNITIES),
    )


def search_quotes(user, query: str, limit: int) -> Group:
    visible = Quote.objects.visible_to(user)
    found = _list_search(QuoteFilter, "filter_q", with_list_columns(visible), query)
    rows, total = _first_with_total(found, limit, columns=with_list_columns)
    return Group(
        kind=QUOTES,
        label=_("Quotes"),
        total=total,
        hits=[
            Hit(
                title=_join(q.number, q.title) or f"#{q.pk}",
                detail=_join(q.client_name, q.get_status_display()),
                url=q.get_absolute_url(),
            )
            for q in rows
        ],
        see_all_url=_list_url("quote_list", query),
    )


SEARCHES = {
    PROSPECTS: search_prospects,
    COMPANIES: search_companies,
    PEOPLE: search_people,
    OPPORTUNITIES: search_opportunities,
    QUOTES: search_quotes,
}


def global_search(*, user, query: str, limit: int, kinds: tuple[str, ...] = ()) -> list[Group]:
    """The groups of records `user` may see matching `query`, in a fixed order, each cut to
    `limit` rows; `kinds` narrows to some of them. Nothing is read for a query that names
    nothing (`is_searchable`)."""
    query = clean_query(query)
    if not is_searchable(query):
        return []
    return [
        search(user, query, limit)
        for kind, search in SEARCHES.items()
        if not kinds or kind in kinds
    ]
