"""The demo's sales set-up, for quotes: the seller, a small catalogue and lines from it on
some demo opportunities. Each part is added only when missing, through the services the pages
use, so that `seed_demo` stays idempotent and a demo seeded before the quotes gets them too."""

from decimal import Decimal

from stdnum import luhn

from catalogue import services as catalogue_services
from catalogue.models import Product, ProductFamily
from contacts.models import Prospect
from pipeline.models import Opportunity
from pipeline.services import lines as line_services
from quotes.models import Seller

DEMO_MARKER = "DEMO-"
# The seller the demo's quotes name (valid SIREN, SIRET, VAT number, IBAN and BIC).
DEMO_SELLER = {
    "legal_name": "Jalon Démo SAS",
    "legal_form": "SAS",
    "share_capital": Decimal("10000.00"),
    "street": "12 rue de la République",
    "postal_code": "69002",
    "city": "Lyon",
    "country": "France",
    "siren": "732829320",
    "siret": "73282932000074",
    "rcs_city": "Lyon",
    "vat_number": "FR44732829320",
    "email": "ventes@jalon-demo.example",
    "phone": "04 72 00 00 00",
    "bank_name": "Crédit Agricole Centre-Est",
    "iban": "FR7630006000011234567890189",
    "bic": "AGRIFRPP",
    "validity_days": 30,
}
# Training by a registered training body is exempt (0 %); the mention says why on the quote.
TRAINING_EXEMPTION = "Exonération de TVA, art. 261-4-4° du CGI"
# family: [(code, label, unit, price excl. VAT, VAT rate)]
DEMO_CATALOGUE = {
    "Conseil et audit": [
        ("CONS-J", "Journée de conseil", "jour", "850", "20.00"),
        ("AUD-FLOTTE", "Audit de flotte de véhicules", "forfait", "2400", "20.00"),
        ("MAINT-AN", "Contrat de maintenance annuel", "an", "1800", "20.00"),
    ],
    "Formation": [
        ("FORM-SEC", "Formation sécurité routière (1 jour)", "jour", "1200", "0.00"),
        ("FORM-ECO", "Atelier éco-conduite", "session", "950", "20.00"),
        ("REPAS", "Repas sur site de formation", "repas", "18", "10.00"),
        ("GUIDE", "Guide pratique du conducteur", "exemplaire", "18.50", "5.50"),
    ],
    "Matériel": [
        ("GPS-TRK", "Boîtier de géolocalisation", "unité", "149", "20.00"),
        ("ETHYLO", "Éthylotest électronique", "unité", "89", "20.00"),
        ("KIT-SECU", "Kit de sécurité véhicule", "kit", "45", "20.00"),
        ("ETHYLO-V1", "Éthylotest (ancien modèle)", "unité", "79", "20.00"),
    ],
}
NO_LONGER_SOLD = {"ETHYLO-V1"}
# The lines of every third open demo opportunity, in turn: (product code, quantity), or a free
# line (label, unit, quantity, price excl. VAT).
DEMO_LINES = [
    [("AUD-FLOTTE", 1), ("CONS-J", 2)],
    [("GPS-TRK", 12), ("MAINT-AN", 1)],
    [("FORM-SEC", 2), ("REPAS", 16), ("GUIDE", 16)],
    [("KIT-SECU", 20), ("ETHYLO", 20), ("Déplacement sur site", "forfait", 1, "150")],
]


def demo_siren(n: int) -> str:
    """A SIREN with a right Luhn key, the same for the same `n` (the demo's own numbers)."""
    base = f"{81_000_000 + n * 7_919:08d}"
    return base + luhn.calc_check_digit(base)


def seed_sales(*, manager) -> None:
    seed_seller()
    seed_lines(manager=manager, products=seed_catalogue(manager=manager))


def seed_seller() -> None:
    """The demo seller, unless a seller is set up already (never overwritten)."""
    if Seller.objects.exists():
        return
    seller = Seller(pk=1, **DEMO_SELLER)
    seller.full_clean()
    seller.save()


def seed_catalogue(*, manager) -> dict[str, Product]:
    """The demo catalogue through the catalogue services; a product already there (by code)
    is left as it is. Returns the products by code."""
    products = {product.code: product for product in Product.objects.all()}
    for position, (family_name, rows) in enumerate(DEMO_CATALOGUE.items()):
        family = ProductFamily.objects.get_or_create(
            name=family_name, defaults={"position": position}
        )[0]
        for code, label, unit, price, rate in rows:
            if code in products:
                continue
            products[code] = catalogue_services.product_create(
                actor=manager,
                data={
                    "family": family,
                    "code": code,
                    "label": label,
                    "unit": unit,
                    "unit_price": Decimal(price),
                    "vat_rate": Decimal(rate),
                    "vat_exemption": TRAINING_EXEMPTION if Decimal(rate) == 0 else "",
                    "active": code not in NO_LONGER_SOLD,
                },
            )
    return products


def seed_lines(*, manager, products: dict[str, Product]) -> None:
    """Lines on every third open demo opportunity that has none, through the line service
    (values copied from the product, totals, the opportunity's amount)."""
    demo = Prospect.all_objects.filter(external_ref__startswith=DEMO_MARKER).values("pk")
    opportunities = (
        Opportunity.objects.filter(prospect__in=demo, status=Opportunity.Status.OPEN)
        .select_related("owner")
        .order_by("position", "pk")
    )
    for n, opportunity in enumerate(list(opportunities)[::3]):
        if opportunity.lines.exists():
            continue
        for row in DEMO_LINES[n % len(DEMO_LINES)]:
            if len(row) == 2:
                code, quantity = row
                data = {"product": products[code], "quantity": Decimal(quantity)}
            else:
                label, unit, quantity, price = row
                data = {
                    "item": label,
                    "unit": unit,
                    "quantity": Decimal(quantity),
                    "unit_price": Decimal(price),
                }
            line_services.opportunity_line_add(
                opportunity_id=opportunity.pk, actor=opportunity.owner or manager, data=data
            )
