"""A quote's totals, computed here and nowhere else, in `Decimal` rounded half up to the cent.

Each line: quantity × unit price less its discount, rounded to the cent. The lines' sums are
grouped by VAT rate; the overall discount reduces each rate's base (so that the VAT is computed
on what the client pays), the VAT of each rate is computed on its base once, and the totals
are the sums of the rounded figures, so that the PDF's columns add up exactly."""

from dataclasses import dataclass, field
from decimal import Decimal

from core.numbers import CENT, cents, line_net

__all__ = ["CENT", "Totals", "VatBase", "cents", "line_net", "quote_totals", "totals_of"]

HUNDRED = Decimal(100)


@dataclass
class VatBase:
    rate: Decimal
    base: Decimal  # excl. VAT, after the overall discount
    vat: Decimal
    exemption: str = ""


@dataclass
class Totals:
    lines_total: Decimal  # sum of the lines, before the overall discount
    discount_amount: Decimal
    total_excl_vat: Decimal
    total_vat: Decimal
    total_incl_vat: Decimal
    by_rate: list[VatBase] = field(default_factory=list)


def totals_of(lines, discount=Decimal(0)) -> Totals:
    """`lines`: objects with quantity, unit_price, discount, vat_rate (and vat_exemption)."""
    bases: dict[Decimal, Decimal] = {}
    exemptions: dict[Decimal, str] = {}
    for line in lines:
        rate = Decimal(line.vat_rate).quantize(CENT)
        bases[rate] = bases.get(rate, Decimal(0)) + line_net(
            line.quantity, line.unit_price, line.discount
        )
        if getattr(line, "vat_exemption", "") and rate not in exemptions:
            exemptions[rate] = line.vat_exemption
    keep = (HUNDRED - Decimal(discount or 0)) / HUNDRED
    by_rate = []
    for rate in sorted(bases, reverse=True):
        base = cents(bases[rate] * keep)
        by_rate.append(VatBase(rate, base, cents(base * rate / HUNDRED), exemptions.get(rate, "")))
    lines_total = sum(bases.values(), Decimal(0))
    excl = sum((b.base for b in by_rate), Decimal(0))
    vat = sum((b.vat for b in by_rate), Decimal(0))
    return Totals(lines_total, lines_total - excl, excl, vat, excl + vat, by_rate)


def quote_totals(quote) -> Totals:
    return totals_of(quote.lines.all(), quote.discount)
