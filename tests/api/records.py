"""One record of each kind the API serves, owned by a given user, and what a change of each
sends."""

from dataclasses import dataclass

from pipeline.models import OpportunityLine
from quotes.models import Quote
from tests import factories as f


@dataclass
class Records:
    company: object
    address: object
    person: object
    prospect: object
    opportunity: object
    line: object
    task: object
    quote: object


def records_of(owner) -> Records:
    company = f.CompanyFactory(owner=owner, name="Acme Industries")
    address = f.AddressFactory(company=company, is_default=True)
    person = f.PersonFactory(owner=owner, last_name="Dupont")
    # mobile given: the prospect factory computes its search text from it.
    prospect = f.ProspectFactory(owner=owner, last_name="Martin", mobile="")
    opportunity = f.OpportunityFactory(prospect=prospect, owner=owner, summary="Big deal")
    line = OpportunityLine.objects.create(
        opportunity=opportunity, item="Licence", unit_price=100, total=100
    )
    task = f.TaskFactory(assignee=owner, created_by=owner, opportunity=opportunity)
    quote = Quote.objects.create(opportunity=opportunity, created_by=owner, title="Quote")
    return Records(company, address, person, prospect, opportunity, line, task, quote)


# kind: (URL segment, record attribute, a change as JSON)
CHANGEABLE = {
    "companies": ("company", lambda r: {"name": "Renamed", "version": r.company.version}),
    "addresses": ("address", lambda r: {"city": "Lyon"}),
    "people": ("person", lambda r: {"job_title": "Buyer", "version": r.person.version}),
    "prospects": ("prospect", lambda r: {"city": "Lyon", "version": r.prospect.version}),
    "opportunities": (
        "opportunity",
        lambda r: {"summary": "Bigger deal", "version": r.opportunity.version},
    ),
    "opportunity-lines": ("line", lambda r: {"quantity": "2"}),
    "tasks": ("task", lambda r: {"title": "Call back", "version": r.task.version}),
}
READ_ONLY = {"quotes": "quote"}


def url(kind: str, pk: int | None = None) -> str:
    return f"/api/v1/{kind}/" + (f"{pk}/" if pk is not None else "")
