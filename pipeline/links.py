"""The records a task can be about (a prospect, a company, a person, an opportunity): found as
the user types in the task dialog, and read back from the `kind:id` the dialog posts.

Every read starts from the user (`visible_to` of each model, the rule of `core.access`), so the
look-up never names a record the user may not see. Prospects, companies and people live in
`contacts`, below `pipeline`: no registry is needed to reach them.
"""

import functools
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from contacts.models import Company, Person, Prospect
from contacts.phones import phone_query
from contacts.selectors import company_search
from contacts.text import normalize
from core.access import can_change, can_view, get_visible_or_404
from pipeline.models import Opportunity

PER_KIND = 5
MIN_LENGTH = 2
MAX_LENGTH = 100
MAX_WORDS = 6

LINK_MODELS = {
    "prospect": Prospect,
    "company": Company,
    "person": Person,
    "opportunity": Opportunity,
}


@dataclass
class Hit:
    kind: str
    record: object
    detail: str
    may_link: bool

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.record.pk}"


def _words(query: str) -> list[str]:
    return [word[:60] for word in query.split()[:MAX_WORDS]]


def _prospects(user, query: str):
    prospects = Prospect.objects.visible_to(user)
    phone = phone_query(query)
    if phone:  # the search words carry each number's international digits
        return prospects.filter(search_text__contains=phone[1:])
    words = normalize(query).split()[:MAX_WORDS]
    for word in words:
        prospects = prospects.filter(search_text__contains=word[:60])
    return prospects.order_by("last_name", "first_name", "id")


def _companies(user, query: str):
    return company_search(Company.objects.visible_to(user), query).order_by("name", "id")


def _people(user, query: str):
    people = Person.objects.visible_to(user)
    phone = phone_query(query)
    if phone:
        return people.filter(Q(phone__startswith=phone) | Q(mobile__startswith=phone))
    for word in _words(query):
        people = people.filter(
            Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(email__icontains=word)
        )
    return people.order_by("last_name", "first_name", "id")


def _opportunities(user, query: str):
    opportunities = Opportunity.objects.visible_to(user).select_related("company", "prospect")
    for word in _words(query):
        opportunities = opportunities.filter(
            Q(summary__icontains=word)
            | Q(company__name__icontains=word)
            | Q(prospect__company_name__icontains=word)
            | Q(prospect__last_name__icontains=word)
        )
    return opportunities.order_by("-created_at", "-id")


def _detail(kind: str, record) -> str:
    if kind == "prospect":
        return " · ".join(v for v in (record.city, record.email) if v)
    if kind == "company":
        return record.get_kind_display()
    if kind == "person":
        return " · ".join(v for v in (record.job_title, record.email) if v)
    owner = record.company or record.prospect
    return str(owner) if owner else ""


def link_search(*, user, query: str) -> list[tuple[str, list[Hit]]]:
    """Up to PER_KIND records of each kind matching `query`, those the user may see only, each
    told whether the user may add a task to it (one query per kind, none per record). Nothing
    for fewer than MIN_LENGTH characters; what is typed is cut at MAX_LENGTH."""
    query = (query or "").replace("\x00", "").strip()[:MAX_LENGTH]
    if len(query) < MIN_LENGTH or not normalize(query).strip() and not phone_query(query):
        return []
    readers = {
        "prospect": _prospects,
        "company": _companies,
        "person": _people,
        "opportunity": _opportunities,
    }
    groups = []
    for kind, read in readers.items():
        records = list(read(user, query)[:PER_KIND])
        if records:
            hits = [Hit(kind, r, _detail(kind, r), can_change(user, r)) for r in records]
            groups.append((kind, hits))
    return groups


def link_target(*, user, value: str):
    """The record named by `kind:id` when the user may see it, else Http404 (as any record);
    None for an empty value."""
    value = (value or "").strip()
    if not value:
        return None
    kind, _sep, pk = value.partition(":")
    model = LINK_MODELS.get(kind)
    if model is None or not pk.isdigit():
        raise Http404
    return get_visible_or_404(model, user, pk=int(pk))


def person_company(person, *, user) -> Company | None:
    """The company a task about `person` is also about (Sage's action names the third party and
    its contact): the one they are the default contact of, else the first they joined, among
    those `user` may see."""
    return (
        Company.objects.visible_to(user)
        .filter(affiliations__person=person)
        .order_by("-affiliations__is_default", "affiliations__id")
        .first()
    )


# What a task row reads to show its company, person and phone: joined in the row's own query.
TASK_ROW_RELATED = (
    "type",
    "assignee",
    "opportunity",
    "opportunity__company",
    "opportunity__person",
    "opportunity__prospect",
    "prospect",
    "company",
    "person",
)


@dataclass
class TaskContext:
    """Who a task is about, as its row shows it: links (label, url) and a number to call."""

    links: list
    phone: str = ""
    country: str = "FR"


def task_context(task, user=None, *, sees=None, url_of=None) -> TaskContext:
    """The company, person and phone of the record a task is about (read from the relations of
    TASK_ROW_RELATED, no query), each shown only when the user may see it (`can_view`): a task
    in the user's list may be about a record of another rep. The agenda, which shows many rows,
    passes its own `sees(record)` (the user's rights read once) and `url_of(record)` (URLs from
    one reversed pattern per kind)."""
    if sees is None:
        sees = functools.partial(can_view, user)
    if url_of is None:
        url_of = _absolute_url
    opportunity = task.opportunity if task.opportunity_id else None
    prospect = task.prospect if task.prospect_id else None
    company = task.company if task.company_id else None
    person = task.person if task.person_id else None
    links = []
    if opportunity is not None and sees(opportunity):
        links.append((opportunity.summary, url_of(opportunity)))
        company = company or (opportunity.company if opportunity.company_id else None)
        person = person or (opportunity.person if opportunity.person_id else None)
        prospect = prospect or (opportunity.prospect if opportunity.prospect_id else None)
    company = company if company is not None and sees(company) else None
    person = person if person is not None and sees(person) else None
    prospect = prospect if prospect is not None and sees(prospect) else None
    context = TaskContext(links=links)
    if prospect is not None and person is None:
        links.append((prospect.full_name or str(prospect), url_of(prospect)))
        if company is None and prospect.company_name:
            links.append((prospect.company_name, ""))
        context.phone = prospect.mobile or prospect.phone
        context.country = prospect.country or "FR"
    if person is not None:
        links.append((person.full_name, url_of(person)))
        context.phone = person.mobile or person.phone
    if company is not None:
        links.append((company.name, url_of(company)))
        if not context.phone:
            context.phone = company.phone
            context.country = str(company.country or "FR")
    return context


def _absolute_url(record) -> str:
    return record.get_absolute_url()
