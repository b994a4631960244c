"""The two parties a quote names, as plain dicts: built live for a draft, frozen into the quote
at issue (`Quote.seller_snapshot`, `Quote.client_snapshot`) so that a sent quote reads the same
forever. Each party says what it lacks for a French B2B quote: a quote is never issued, and no
PDF is drawn, with a blank where a legal mention belongs."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from quotes.models import Quote, Seller

SELLER_REQUIRED = {
    "legal_name": gettext_lazy("the legal name"),
    "legal_form": gettext_lazy("the legal form"),
    "share_capital": gettext_lazy("the share capital"),
    "street": gettext_lazy("the address"),
    "postal_code": gettext_lazy("the postal code"),
    "city": gettext_lazy("the city"),
    "siren": gettext_lazy("the SIREN"),
    "rcs_city": gettext_lazy("the RCS city"),
    "vat_number": gettext_lazy("the VAT number"),
    "payment_terms": gettext_lazy("the payment terms"),
    "late_penalty": gettext_lazy("the late-payment penalties"),
}


def seller_get() -> Seller | None:
    return Seller.objects.filter(pk=1).first()


def seller_data(seller: Seller | None) -> dict:
    """Keys: legal_name, legal_form, share_capital (str, e.g. "10000.00"), street, street2,
    postal_code, city, country, siren, siret, rcs_city, vat_number, email, phone, website,
    logo (storage name or ""), bank_name, iban, bic, payment_terms, late_penalty."""
    if seller is None:
        return {}
    data = {
        name: getattr(seller, name) or ""
        for name in (
            "legal_name",
            "legal_form",
            "street",
            "street2",
            "postal_code",
            "city",
            "country",
            "siren",
            "siret",
            "rcs_city",
            "vat_number",
            "email",
            "phone",
            "website",
            "bank_name",
            "iban",
            "bic",
            "payment_terms",
            "late_penalty",
        )
    }
    data["share_capital"] = "" if seller.share_capital is None else str(seller.share_capital)
    data["logo"] = seller.logo.name if seller.logo else ""
    return data


def seller_missing(data: dict) -> list[str]:
    """What the seller set-up lacks, in words a manager can act on (empty: complete)."""
    if not data:
        return [_("the seller is not set up (Administration › Seller)")]
    return [str(label) for key, label in SELLER_REQUIRED.items() if not data.get(key)]


def client_data(opportunity, recipient=None) -> dict:
    """The client as the quote names it: the opportunity's company (its default address) or,
    for an opportunity of the prospect file, the prospect's own values.

    Keys: name, street, street2, postal_code, city, country, siren, vat_number,
    is_company (bool), is_french (bool), contact (the recipient's or prospect's name), email.
    """
    company = opportunity.company
    person = recipient or opportunity.person
    if company is not None:
        address = company.default_address
        data = {
            "name": company.name,
            "street": address.line1 if address else "",
            "street2": address.line2 if address else "",
            "postal_code": address.postal_code if address else "",
            "city": address.city if address else "",
            "country": str(address.country.name) if address else str(company.country.name),
            "siren": company.siren,
            "vat_number": company.vat_number,
            "is_company": not company.is_natural_person,
            "is_french": (address.country.code if address else company.country.code) == "FR",
        }
    else:
        prospect = opportunity.prospect
        name = prospect.company_name if prospect else ""
        data = {
            "name": name or (prospect.full_name if prospect else ""),
            "street": prospect.address if prospect else "",
            "street2": "",
            "postal_code": prospect.postal_code if prospect else "",
            "city": prospect.city if prospect else "",
            "country": (prospect.country if prospect else "") or "France",
            "siren": prospect.siren if prospect else "",
            "vat_number": "",
            "is_company": bool(name),
            "is_french": ((prospect.country if prospect else "") or "France").lower()
            in {"france", "fr"},
        }
    if person is not None:
        data["contact"] = str(person)
        data["email"] = person.email
    elif opportunity.prospect is not None and company is None:
        data["contact"] = opportunity.prospect.full_name
        data["email"] = opportunity.prospect.email
    else:
        data["contact"] = ""
        data["email"] = ""
    return data


def client_missing(data: dict) -> list[str]:
    """What the client record lacks for a quote (empty: complete)."""
    missing = []
    if not data.get("name"):
        missing.append(_("the client's name"))
    if not (data.get("street") and data.get("postal_code") and data.get("city")):
        missing.append(_("the client's address (street, postal code and city)"))
    if data.get("is_company") and data.get("is_french") and not data.get("siren"):
        missing.append(_("the client's SIREN (a French company)"))
    return missing


def parties_of(quote: Quote) -> tuple[dict, dict]:
    """(seller, client) as the quote names them: frozen once issued, live for a draft."""
    if quote.seller_snapshot and quote.client_snapshot:
        return quote.seller_snapshot, quote.client_snapshot
    return seller_data(seller_get()), client_data(quote.opportunity, quote.recipient)


def missing_mentions(quote: Quote) -> list[str]:
    """Everything the quote cannot be issued (nor drawn) without."""
    seller, client = parties_of(quote)
    return seller_missing(seller) + client_missing(client)
