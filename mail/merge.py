"""Merge fields of the managers' e-mail templates: `{{ first_name }}` and the like.

A template is plain text whose `{{ field }}` placeholders come from a fixed list (MERGE_FIELDS);
it is never read as Django template code, so a manager cannot reach anything else. A template
naming an unknown field, or holding template tags (`{% ... %}`), is refused when it is saved.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from contacts.models import Company, Person, Prospect
from core.numbers import format_decimal
from core.users import user_label
from pipeline.models import Opportunity
from quotes.models import Quote

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
TAG = re.compile(r"\{%|%\}|\{#|#\}")

MERGE_FIELDS = {
    "civility": _("civility of the contact (Mr, Mrs)"),
    "first_name": _("first name of the contact"),
    "last_name": _("last name of the contact"),
    "company": _("company name"),
    "project": _("project (opportunity summary)"),
    "amount": _("amount of the project or quote, with its currency"),
    "owner_name": _("name of the rep who writes"),
    "owner_email": _("e-mail address of the rep who writes"),
    "owner_phone": _("phone of the rep who writes"),
    "signature": _("e-mail signature of the rep who writes"),
}

UNKNOWN_FIELDS = _("Unknown merge fields: %(fields)s. Available: %(available)s.")
TEMPLATE_TAGS = _("Only {{ field }} placeholders are allowed, not template tags.")


def template_check(text: str) -> None:
    """ValidationError when `text` names a field outside MERGE_FIELDS or holds template tags."""
    if TAG.search(text):
        raise ValidationError(TEMPLATE_TAGS, code="tags")
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in MERGE_FIELDS})
    if unknown:
        raise ValidationError(
            UNKNOWN_FIELDS,
            code="unknown_field",
            params={
                "fields": ", ".join(unknown),
                "available": ", ".join(f"{{{{ {name} }}}}" for name in MERGE_FIELDS),
            },
        )


def merge(text: str, values: dict[str, str]) -> str:
    """`text` with each known placeholder replaced by its value (an unknown one is left as is)."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        return values[name] if name in values else match.group(0)

    return PLACEHOLDER.sub(replace, text)


@dataclass
class Recipient:
    """Who a record's e-mail goes to, and the words about them that templates merge."""

    contact: Person | Prospect | None = None
    company_name: str = ""
    opportunity: Opportunity | None = None
    quote: Quote | None = None


def _contact_of_company(company: Company) -> Person | None:
    link = company.affiliations.filter(is_default=True).select_related("person").first()
    if link is None:
        link = company.affiliations.select_related("person").first()
    return link.person if link else None


def _company_of_person(person: Person) -> Company | None:
    link = (
        person.affiliations.order_by("-is_default", "rank", "id").select_related("company").first()
    )
    return link.company if link else None


def recipient_of(record) -> Recipient:
    """The contact, company, project and quote an e-mail written from `record` is about."""
    if isinstance(record, Quote):
        found = recipient_of(record.opportunity)
        if record.recipient_id:
            found.contact = record.recipient
        found.quote = record
        return found
    if isinstance(record, Opportunity):
        contact = record.person or record.prospect
        return Recipient(contact=contact, company_name=record.display_company, opportunity=record)
    if isinstance(record, Prospect):
        opportunity = record.opportunities.order_by("-status", "-id").first()
        opportunity = (
            record.opportunities.filter(status=Opportunity.Status.OPEN).order_by("-id").first()
            or opportunity
        )
        name = record.company_name or (record.company.name if record.company_id else "")
        return Recipient(contact=record, company_name=name, opportunity=opportunity)
    if isinstance(record, Person):
        company = _company_of_person(record)
        return Recipient(contact=record, company_name=company.name if company else "")
    if isinstance(record, Company):
        return Recipient(contact=_contact_of_company(record), company_name=record.name)
    raise TypeError(f"no e-mail recipient for {type(record).__name__}")


def merge_values(record, *, sender, language: str) -> dict[str, str]:
    """The value of every merge field for an e-mail written by `sender` from `record`, in
    `language` (civility and amount are written the way that language writes them)."""
    found = recipient_of(record)
    contact = found.contact
    with translation.override(language):
        civility = str(contact.get_civility_display()) if contact and contact.civility else ""
        amount = ""
        if found.quote is not None:
            amount = f"{format_decimal(found.quote.total_excl_vat, decimal_places=2)} €"
        elif found.opportunity is not None and found.opportunity.amount:
            amount = f"{format_decimal(found.opportunity.amount, decimal_places=2)} €"
    return {
        "civility": civility,
        "first_name": contact.first_name if contact else "",
        "last_name": contact.last_name if contact else "",
        "company": found.company_name,
        "project": found.opportunity.summary if found.opportunity else "",
        "amount": amount,
        "owner_name": user_label(sender),
        "owner_email": sender.email or "",
        "owner_phone": getattr(sender, "phone", "") or "",
        "signature": getattr(sender, "email_signature", "") or "",
    }
