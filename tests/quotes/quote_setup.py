"""An opportunity ready to be quoted, for the quote card's tests (part B): a French client
company with its default address and SIREN, a contact person, the seller set up, and lines
made through the opportunity's line service."""

from decimal import Decimal

from pipeline.services.lines import opportunity_line_add
from tests import factories as f
from tests.quotes.factories import SellerFactory

# (item, unit, quantity, unit price, adjusted price, discount, VAT rate)
LINES = [
    ("Journée de conseil", "jour", "3", "900.00", "850.00", "10", "20.00"),
    ("Formation", "heure", "2.5", "333.33", None, "0", "10.00"),
    ("Livres", "", "7", "12.99", None, "5", "5.50"),
]


def client_company(name: str = "Transports Martin SARL"):
    company = f.CompanyFactory(name=name, siren="552100554", country="FR")
    f.AddressFactory(company=company, line1="3 quai Rambaud", postal_code="69002", city="Lyon")
    return company


def ready_opportunity(owner, *, lines=LINES, company=None, seller=True):
    """An opportunity of `owner` for a complete client company, with `lines` added through
    `pipeline.services.lines.opportunity_line_add`."""
    if seller:
        SellerFactory()
    company = company or client_company()
    person = f.PersonFactory(first_name="Jeanne", last_name="Martin", email="jeanne@martin.fr")
    first = not company.affiliations.filter(is_default=True).exists()
    f.AffiliationFactory(person=person, company=company, is_default=first)
    opportunity = f.OpportunityFactory(
        prospect=None, company=company, person=person, owner=owner, summary="Flotte 2026"
    )
    for item, unit, quantity, price, adjusted, discount, _rate in lines:
        opportunity_line_add(
            opportunity_id=opportunity.pk,
            actor=owner,
            data={
                "item": item,
                "unit": unit,
                "quantity": Decimal(quantity),
                "unit_price": Decimal(price),
                "adjusted_price": None if adjusted is None else Decimal(adjusted),
                "discount": Decimal(discount),
            },
        )
    for line, spec in zip(opportunity.lines.order_by("position", "id"), lines, strict=True):
        line.vat_rate = Decimal(spec[6])
        line.save(update_fields=["vat_rate"])
    return opportunity
