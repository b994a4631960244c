"""A complete seller, catalogue products and draft quotes for the quote tests."""

from decimal import Decimal

from factory.django import DjangoModelFactory

from catalogue.models import Product
from quotes.models import Quote, QuoteLine, Seller
from quotes.totals import line_net, quote_totals


class SellerFactory(DjangoModelFactory):
    class Meta:
        model = Seller
        django_get_or_create = ("id",)

    id = 1
    legal_name = "Jalon Démo SAS"
    legal_form = "SAS"
    share_capital = Decimal("10000.00")
    street = "12 rue de la République"
    postal_code = "69002"
    city = "Lyon"
    siren = "732829320"
    siret = "73282932000074"
    rcs_city = "Lyon"
    vat_number = "FR44732829320"
    email = "ventes@jalon-demo.fr"
    iban = "FR7630006000011234567890189"
    bic = "AGRIFRPP"


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    code = "CONS-J"
    label = "Journée de conseil"
    unit = "jour"
    unit_price = Decimal("850.00")
    vat_rate = Decimal("20.00")


def draft_quote(opportunity, lines, *, actor=None, discount=Decimal(0)) -> Quote:
    """A draft quote with `lines` [(item, quantity, unit_price, discount, vat_rate)], its totals
    stored as the quote service stores them."""
    quote = Quote.objects.create(opportunity=opportunity, created_by=actor, discount=discount)
    for position, (item, quantity, price, line_discount, rate) in enumerate(lines):
        QuoteLine.objects.create(
            quote=quote,
            position=position,
            item=item,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            discount=Decimal(line_discount),
            vat_rate=Decimal(rate),
            total_excl_vat=line_net(quantity, price, line_discount),
        )
    totals = quote_totals(quote)
    quote.total_excl_vat = totals.total_excl_vat
    quote.total_vat = totals.total_vat
    quote.total_incl_vat = totals.total_incl_vat
    quote.save()
    return quote
